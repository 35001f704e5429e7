import Foundation

/// One model served by another OpenAI-compatible server, as given on the command
/// line: `--upstream NAME=URL[#REMOTE_MODEL]` and optionally `--upstream-key NAME=KEY`.
///
/// Example: `--upstream gpt=https://api.example.com/v1#gpt-4o-mini` serves `gpt`
/// here and sends `"model":"gpt-4o-mini"` there.
public struct UpstreamModelSpec: Sendable, Equatable {
    /// The id clients use here (and that `/v1/models` lists).
    public var id: String
    /// The upstream's API root, ending before `/chat/completions` (`http://host:8000/v1`), without a trailing slash.
    public var baseURL: String
    /// The `model` the upstream expects; the request's `model` is rewritten to it.
    public var remoteModel: String
    /// Sent upstream as `Authorization: Bearer KEY`.
    public var apiKey: String?

    public init(id: String, baseURL: String, remoteModel: String? = nil, apiKey: String? = nil) throws(UpstreamSpecError) {
        guard !id.isEmpty, !id.contains("=") else { throw .malformed("upstream name '\(id)' must be non-empty and without '='") }
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        guard let url = URL(string: base), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = url.host, !host.isEmpty, url.query == nil, url.fragment == nil
        else { throw .badURL(baseURL) }
        self.id = id
        self.baseURL = base
        self.remoteModel = remoteModel.flatMap { $0.isEmpty ? nil : $0 } ?? id
        self.apiKey = apiKey
    }

    /// Parses `NAME=URL` or `NAME=URL#REMOTE_MODEL`.
    public init(parsing text: String) throws(UpstreamSpecError) {
        guard let equals = text.firstIndex(of: "=") else {
            throw .malformed("--upstream expects NAME=URL[#REMOTE_MODEL], got '\(text)'")
        }
        let name = String(text[..<equals])
        let rest = text[text.index(after: equals)...]
        let hash = rest.lastIndex(of: "#")
        let url = hash.map { rest[..<$0] } ?? rest
        let remote = hash.map { String(rest[rest.index(after: $0)...]) }
        try self.init(id: name, baseURL: String(url), remoteModel: remote)
    }

    /// Parses every `--upstream` and attaches each `--upstream-key NAME=KEY` to its upstream.
    public static func parse(upstreams: [String], keys: [String]) throws(UpstreamSpecError) -> [UpstreamModelSpec] {
        var specs: [UpstreamModelSpec] = []
        for text in upstreams {
            let spec = try UpstreamModelSpec(parsing: text)
            guard !specs.contains(where: { $0.id == spec.id }) else { throw .duplicate(spec.id) }
            specs.append(spec)
        }
        for text in keys {
            guard let equals = text.firstIndex(of: "=") else {
                throw .malformed("--upstream-key expects NAME=KEY, got a value without '='")
            }
            let name = String(text[..<equals])
            guard let index = specs.firstIndex(where: { $0.id == name }) else { throw .keyForUnknownUpstream(name) }
            specs[index].apiKey = String(text[text.index(after: equals)...])
        }
        return specs
    }
}

/// `--upstream` and `--upstream-key` values that cannot be used.
public enum UpstreamSpecError: Error, Equatable, CustomStringConvertible {
    case malformed(String)
    case badURL(String)
    case duplicate(String)
    case keyForUnknownUpstream(String)

    public var description: String {
        switch self {
        case let .malformed(message): return message
        case let .badURL(url): return "upstream URL '\(url)' must be an http(s) URL like http://host:8000/v1"
        case let .duplicate(name): return "upstream '\(name)' is given twice"
        case let .keyForUnknownUpstream(name): return "--upstream-key names '\(name)', which no --upstream defines"
        }
    }
}

/// All upstream models and how patiently to wait for them (`ServerConfiguration.upstreams`).
public struct UpstreamSettings: Sendable {
    public var models: [UpstreamModelSpec] = []
    /// Connecting longer than this is a 504.
    public var connectTimeout: Duration = .seconds(10)
    /// Silence longer than this between bytes of a response is a 504. Generous, because
    /// a non-streaming completion sends nothing until it is done.
    public var readTimeout: Duration = .seconds(600)

    public init(models: [UpstreamModelSpec] = []) {
        self.models = models
    }
}
