import Foundation

/// One member of an upstream pool, as given on the command line:
/// `--upstream NAME=URL[#REMOTE_MODEL][;weight=W]` and optionally `--upstream-key NAME=KEY`.
///
/// Example: `--upstream gpt=https://api.example.com/v1#gpt-4o-mini` serves `gpt` here and
/// sends `"model":"gpt-4o-mini"` there. Repeating the NAME with other URLs makes a pool.
public struct UpstreamModelSpec: Sendable, Equatable {
    /// The id clients use here (and that `/v1/models` lists): the pool's name.
    public var id: String
    /// The upstream's API root, ending before `/chat/completions` (`http://host:8000/v1`), without a trailing slash.
    public var baseURL: String
    /// The `model` the upstream expects; the request's `model` is rewritten to it.
    public var remoteModel: String
    /// Sent upstream as `Authorization: Bearer KEY`.
    public var apiKey: String?
    /// Share of the pool's traffic relative to the other members (1...1000).
    public var weight: Int

    public static let weightRange = 1...1000

    /// The base URL without credentials (`http://user:pass@host` → `http://host`): what
    /// `/health`, `/metrics` and the log show.
    public var displayURL: String {
        guard var parts = URLComponents(string: baseURL), parts.user != nil || parts.password != nil else { return baseURL }
        parts.user = nil
        parts.password = nil
        return parts.string ?? baseURL
    }

    public init(id: String, baseURL: String, remoteModel: String? = nil, apiKey: String? = nil,
                weight: Int = 1) throws(UpstreamSpecError) {
        guard !id.isEmpty, !id.contains("=") else { throw .malformed("upstream name '\(id)' must be non-empty and without '='") }
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        guard let url = URL(string: base), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = url.host, !host.isEmpty, url.query == nil, url.fragment == nil
        else { throw .badURL(baseURL) }
        guard Self.weightRange.contains(weight) else { throw .malformed("upstream weight \(weight) must be 1...1000") }
        self.id = id
        self.baseURL = base
        self.remoteModel = remoteModel.flatMap { $0.isEmpty ? nil : $0 } ?? id
        self.apiKey = apiKey
        self.weight = weight
    }

    /// Parses `NAME=URL`, `NAME=URL#REMOTE_MODEL`, either with `;weight=W` at the end.
    public init(parsing text: String) throws(UpstreamSpecError) {
        guard let equals = text.firstIndex(of: "=") else {
            throw .malformed("--upstream expects NAME=URL[#REMOTE_MODEL][;weight=W], got '\(text)'")
        }
        let name = String(text[..<equals])
        var rest = text[text.index(after: equals)...]
        var weight = 1
        if let marker = rest.range(of: ";weight=", options: .backwards) {
            let digits = rest[marker.upperBound...]
            guard digits.count <= 4, let w = Int(digits) else {
                throw .malformed("--upstream \(name): weight must be a whole number 1...1000, got '\(digits)'")
            }
            weight = w
            rest = rest[..<marker.lowerBound]
        }
        let hash = rest.lastIndex(of: "#")
        let url = hash.map { rest[..<$0] } ?? rest
        let remote = hash.map { String(rest[rest.index(after: $0)...]) }
        try self.init(id: name, baseURL: String(url), remoteModel: remote, weight: weight)
    }

    /// Parses every `--upstream` (a NAME given again adds a member to its pool) and
    /// attaches each `--upstream-key NAME=KEY` to every member of pool NAME.
    public static func parse(upstreams: [String], keys: [String]) throws(UpstreamSpecError) -> [UpstreamModelSpec] {
        var specs: [UpstreamModelSpec] = []
        for text in upstreams {
            let spec = try UpstreamModelSpec(parsing: text)
            for other in specs where other.id == spec.id {
                guard other.baseURL != spec.baseURL else { throw .duplicate(spec.id, spec.baseURL) }
                // A pool is one model on several servers: a client must get the same model whichever answers.
                guard other.remoteModel == spec.remoteModel else {
                    throw .conflictingRemoteModels(spec.id, other.remoteModel, spec.remoteModel)
                }
            }
            specs.append(spec)
        }
        for text in keys {
            guard let equals = text.firstIndex(of: "=") else {
                throw .malformed("--upstream-key expects NAME=KEY, got a value without '='")
            }
            let name = String(text[..<equals])
            guard specs.contains(where: { $0.id == name }) else { throw .keyForUnknownUpstream(name) }
            for index in specs.indices where specs[index].id == name {
                specs[index].apiKey = String(text[text.index(after: equals)...])
            }
        }
        return specs
    }
}

/// `--upstream`, `--upstream-key` and `--fallback` values that cannot be used.
public enum UpstreamSpecError: Error, Equatable, CustomStringConvertible {
    case malformed(String)
    case badURL(String)
    case duplicate(String, String)
    case conflictingRemoteModels(String, String, String)
    case keyForUnknownUpstream(String)
    case fallbackForUnknownUpstream(String)

    public var description: String {
        switch self {
        case let .malformed(message): return message
        case let .badURL(url): return "upstream URL '\(url)' must be an http(s) URL like http://host:8000/v1"
        case let .duplicate(name, url): return "upstream '\(name)' lists \(url) twice"
        case let .conflictingRemoteModels(name, a, b):
            return "upstream pool '\(name)' names two different remote models ('\(a)' and '\(b)'); "
                + "every member of a pool must serve the same model (give each the same #REMOTE_MODEL)"
        case let .keyForUnknownUpstream(name): return "--upstream-key names '\(name)', which no --upstream defines"
        case let .fallbackForUnknownUpstream(name): return "--fallback names '\(name)', which no --upstream defines"
        }
    }
}

/// All upstream pools and how patiently to wait for them (`ServerConfiguration.upstreams`).
public struct UpstreamSettings: Sendable {
    /// Every member, in command-line order; members sharing an id form that pool.
    public var models: [UpstreamModelSpec] = []
    /// Pool name → local model id that answers while every member of the pool is down (`--fallback`).
    public var fallbacks: [String: String] = [:]
    /// Connecting longer than this fails the attempt (another member is tried).
    public var connectTimeout: Duration = .seconds(5)
    /// A stream whose first chunk takes longer fails the attempt (another member is tried).
    public var firstByteTimeout: Duration = .seconds(60)
    /// Silence longer than this between chunks of a stream ends it with an SSE error event.
    public var idleTimeout: Duration = .seconds(60)
    /// The whole request, every attempt included: 504 (or an SSE error event) past it.
    /// Non-streamed requests send nothing until they are done, so this is their only bound.
    public var totalTimeout: Duration = .seconds(600)
    /// Connections open at once to one member: each request in flight needs one (HTTP/1.1),
    /// so this bounds a member's concurrency as seen from one replica. (AsyncHTTPClient's
    /// default of 8 would queue the rest here while a GPU server could take hundreds.)
    public var connectionsPerMember = 512
    /// Attempts per request, on different members (1: no retries).
    public var maxAttempts = 3
    /// Retries allowed beyond the first attempts: this share of recent requests, plus
    /// ``retryBudgetPerSecond`` a second (up to 10 seconds' worth saved), so a dead pool
    /// is not hammered (Linkerd's defaults).
    public var retryBudgetRatio = 0.2
    public var retryBudgetPerSecond = 10.0
    /// Active health checks: `GET` this path (relative to the member's base URL, or from the
    /// server root when it starts with `/`) every `healthInterval`, answered within `healthTimeout`.
    public var healthPath = "models"
    public var healthInterval: Duration = .seconds(5)
    public var healthTimeout: Duration = .seconds(2)
    /// Consecutive failures (requests or checks) that take a member out of rotation.
    public var ejectAfter = 2
    /// Consecutive healthy checks that bring an ejected member back.
    public var readmitAfter = 2

    public init(models: [UpstreamModelSpec] = []) {
        self.models = models
    }

    /// The pools' names in command-line order.
    public var poolNames: [String] {
        var seen = Set<String>()
        return models.map(\.id).filter { seen.insert($0).inserted }
    }
}
