import AsyncHTTPClient
import Foundation
import NIOCore
import OpenAIAPI

/// The upstream pools by name, sharing one HTTP client (one connection pool).
///
/// The client exists only when some upstream is configured, and must be shut down
/// once the server has stopped (``ServerResourcesService`` does it): AsyncHTTPClient
/// treats a client dropped while running as a leak.
final class UpstreamModels: Sendable {
    let byID: [String: UpstreamPool]
    /// In command-line order, for `/v1/models`.
    let ordered: [UpstreamPool]
    let settings: UpstreamSettings
    private let client: HTTPClient?
    /// Where the health checker reports members leaving and rejoining the rotation.
    let log: @Sendable (String) -> Void

    init(_ settings: UpstreamSettings, metrics: ServerMetrics = ServerMetrics(),
         log: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }) {
        self.settings = settings
        self.log = log
        guard !settings.models.isEmpty else {
            (byID, ordered, client) = ([:], [], nil)
            return
        }
        var configuration = HTTPClient.Configuration()
        // Reads are bounded by the exchange's own deadlines (first byte, idle, total).
        configuration.timeout = .init(connect: Self.timeAmount(settings.connectTimeout), read: nil)
        // Upstream responses pass through verbatim; following redirects would resend the body blindly.
        configuration.redirectConfiguration = .disallow
        // A refused connection fails the attempt now, and another member is tried; retrying
        // the same server would hold the client for the whole connect timeout.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = max(1, settings.connectionsPerMember)
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        let created = Int(Date().timeIntervalSince1970)
        let upstreamMetrics = UpstreamMetrics(server: metrics)
        let pools = settings.poolNames.map { name in
            UpstreamPool(name: name, members: settings.models.filter { $0.id == name }, fallback: settings.fallbacks[name],
                         settings: settings, client: client, metrics: upstreamMetrics, created: created)
        }
        self.client = client
        ordered = pools
        byID = Dictionary(uniqueKeysWithValues: pools.map { ($0.name, $0) })
    }

    subscript(id: String) -> UpstreamPool? { byID[id] }

    var isEmpty: Bool { byID.isEmpty }

    var modelObjects: [ModelObject] { ordered.map(\.modelObject) }

    var health: [String: PoolHealth]? { isEmpty ? nil : byID.mapValues(\.health) }

    /// Waits for open upstream requests to end, then closes the connection pool.
    func shutdown() async throws {
        try await client?.shutdown()
    }

    // MARK: Health checks

    /// The URL a member's health is checked at.
    func healthURL(_ member: UpstreamMember) -> String {
        let path = settings.healthPath
        guard path.hasPrefix("/") else { return member.spec.baseURL + "/" + path }
        guard let base = URL(string: member.spec.baseURL), let scheme = base.scheme, let host = base.host else {
            return member.spec.baseURL + path
        }
        return "\(scheme)://\(host)" + (base.port.map { ":\($0)" } ?? "") + path
    }

    /// Checks every member once, all at the same time. The first round (before the server
    /// serves) takes members that do not answer out of rotation at once, and says so.
    func checkAll(initial: Bool = false) async {
        guard let client else { return }
        await withTaskGroup(of: Void.self) { group in
            for pool in ordered {
                for member in pool.members {
                    group.addTask { await self.check(member, client: client, initial: initial) }
                }
            }
        }
    }

    private func check(_ member: UpstreamMember, client: HTTPClient, initial: Bool) async {
        var request = HTTPClientRequest(url: healthURL(member))
        let shown = healthURL(member).replacingOccurrences(of: member.spec.baseURL, with: member.spec.displayURL)
        if let key = member.spec.apiKey { request.headers.add(name: "authorization", value: "Bearer \(key)") }
        let problem: String?
        do {
            let response = try await client.execute(request, timeout: Self.timeAmount(settings.healthTimeout))
            // Drain (bounded) so the connection can be reused.
            _ = try? await response.body.collect(upTo: 1 << 20)
            problem = (200..<300).contains(Int(response.status.code)) ? nil : "\(shown) answered \(response.status.code)"
        } catch {
            problem = "\(shown): \(Self.describe(error))"
        }
        let wasHealthy = member.isHealthy
        if let problem {
            member.failed(.connect, detail: problem, fromCheck: true, immediately: initial)
            if wasHealthy, !member.isHealthy {
                log("upstream \(member.spec.id): \(member.label) is out of rotation (\(problem)); "
                    + "it rejoins after \(settings.readmitAfter) healthy checks")
            }
        } else if member.checkPassed() {
            log("upstream \(member.spec.id): \(member.label) is back in rotation")
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError, error == .deadlineExceeded || error == .readTimeout { return "no answer in time" }
        return "\(error)"
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
