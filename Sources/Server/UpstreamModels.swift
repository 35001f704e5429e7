import AsyncHTTPClient
import Foundation
import NIOCore
import OpenAIAPI

/// The upstream models by id, sharing one HTTP client (one connection pool).
///
/// The client exists only when some upstream is configured, and must be shut down
/// once the server has stopped (``ServerResourcesService`` does it): AsyncHTTPClient
/// treats a client dropped while running as a leak.
final class UpstreamModels: Sendable {
    let byID: [String: UpstreamModel]
    /// In command-line order, for `/v1/models`.
    let ordered: [UpstreamModel]
    private let client: HTTPClient?

    init(_ settings: UpstreamSettings) {
        guard !settings.models.isEmpty else {
            (byID, ordered, client) = ([:], [], nil)
            return
        }
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: Self.timeAmount(settings.connectTimeout), read: Self.timeAmount(settings.readTimeout))
        // Upstream responses pass through verbatim; following redirects would resend the body blindly.
        configuration.redirectConfiguration = .disallow
        // A refused connection is a 502 now, as from any reverse proxy; retrying would
        // hold every client for the whole connect timeout while the upstream is down.
        configuration.connectionPool.retryConnectionEstablishment = false
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        let created = Int(Date().timeIntervalSince1970)
        let models = settings.models.map { UpstreamModel(spec: $0, client: client, created: created) }
        self.client = client
        ordered = models
        byID = Dictionary(models.map { ($0.spec.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    subscript(id: String) -> UpstreamModel? { byID[id] }

    var isEmpty: Bool { byID.isEmpty }

    var modelObjects: [ModelObject] { ordered.map(\.modelObject) }

    /// Waits for open upstream requests to end, then closes the connection pool.
    func shutdown() async throws {
        try await client?.shutdown()
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
