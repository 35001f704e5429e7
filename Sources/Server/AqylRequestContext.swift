import Hummingbird
import NIOCore

/// Who sent a request, as far as the server can tell. Set by the auth
/// middleware (API keys) or the web chat's cookie; read by usage accounting.
public struct Caller: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// A bearer API key (`id` is the key's public id).
        case apiKey = "api"
        /// The web chat (`id` is the browser's server-issued identity).
        case web
        /// No key and no issued identity.
        case anonymous
    }

    public var kind: Kind
    public var id: String
    /// Traffic from a key flagged synthetic (load tests, monitoring).
    public var synthetic: Bool

    public init(kind: Kind, id: String, synthetic: Bool = false) {
        self.kind = kind
        self.id = id
        self.synthetic = synthetic
    }

    public static let anonymous = Caller(kind: .anonymous, id: "")
}

/// The request context of every route.
public struct AqylRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public var caller: Caller = .anonymous
    /// The TCP peer (nil in in-process tests).
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
