import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Ledger
import Storage
import Testing
import TestSupport
import UsageStats

/// N identical `aqyl serve` processes on one PostgreSQL database: one truth for
/// conversations, keys, limits and the usage log, whichever replica answers.
@Suite(.serialized) struct ReplicaTests {
    static var aqyl: String { ServePeerTests.packageRoot.appendingPathComponent(".build/debug/aqyl").path }
    static var model: String { FixturePaths.fixture("llama3-tiny/llama3-tiny.gguf").path }

    /// Data directories for replicas that share their secrets (as an operator copies them),
    /// and the log's signing key file.
    static func sharedSecrets(count: Int) throws -> (dirs: [URL], logKey: String) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-replicas-\(UUID().uuidString)")
        let pseudonym = Data((0..<32).map { _ in UInt8.random(in: 0...255) })
        let identity = Data((0..<32).map { _ in UInt8.random(in: 0...255) })
        let signing = Data((0..<32).map { _ in UInt8.random(in: 0...255) })
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let logKey = root.appendingPathComponent("log-signing.key")
        try signing.write(to: logKey)
        var dirs: [URL] = []
        for i in 0..<count {
            let dir = root.appendingPathComponent("replica\(i)")
            try FileManager.default.createDirectory(at: dir.appendingPathComponent("ledger"), withIntermediateDirectories: true)
            try pseudonym.write(to: dir.appendingPathComponent("ledger/pseudonym.key"))
            try identity.write(to: dir.appendingPathComponent("web-identity.key"))
            dirs.append(dir)
        }
        return (dirs, logKey.path)
    }

    /// A replica that refuses API requests without a live key (so a revoked key is a 401).
    static func replica(_ data: URL, database: String, logKey: String) throws -> ServePeerTests.RunningServer {
        try ServePeerTests.RunningServer(model: model, extra: ["--database", database, "--log-key", logKey, "--api-key-required"], data: data)
    }

    /// A session that keeps no cookies: each test holds its cookie itself.
    static let session: URLSession = {
        let config = URLSessionConfiguration.ephemeral
        config.httpShouldSetCookies = false
        config.httpCookieAcceptPolicy = .never
        config.timeoutIntervalForRequest = 30
        return URLSession(configuration: config)
    }()

    @discardableResult
    static func send(_ base: String, _ path: String, method: String = "GET", body: String? = nil, key: String? = nil,
                     cookie: String? = nil) async throws -> (status: Int, body: String, headers: [String: String]) {
        var request = URLRequest(url: URL(string: base + path)!)
        request.httpMethod = method
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        if let key { request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
        if let cookie { request.setValue(cookie, forHTTPHeaderField: "Cookie") }
        request.setValue("web-chat", forHTTPHeaderField: "X-Aqyl-Client")
        let (data, response) = try await session.data(for: request)
        let http = response as! HTTPURLResponse
        var headers: [String: String] = [:]
        for (k, v) in http.allHeaderFields { headers[String(describing: k).lowercased()] = String(describing: v) }
        return (http.statusCode, String(decoding: data, as: UTF8.self), headers)
    }

    static let chat = #"{"model":"llama3-tiny","messages":[{"role":"user","content":"Сәлем"}],"max_tokens":2}"#

    struct Health: Decodable {
        struct Log: Decodable { var size: Int; var sequencer: Bool?; var spooled: Int? }
        var log: Log
    }

    static func health(_ base: String) async -> Health? {
        guard let (status, body, _) = try? await send(base, "/health"), status == 200 else { return nil }
        return try? JSONDecoder().decode(Health.self, from: Data(body.utf8))
    }

    static func eventually(_ seconds: Double = 20, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try await condition()
    }

    static func newKey(_ database: String, name: String, limit: Int? = nil) throws -> (id: String, secret: String) {
        let created = try ServePeerTests.run(aqyl, ["keys", "create", "--database", database, "--name", name]
                                             + (limit.map { ["--rate-limit", String($0)] } ?? []))
        try #require(created.status == 0, "\(created.output)")
        let secret = try #require(created.output.split(separator: "\n").first { $0.hasPrefix("aqyl-") }.map(String.init))
        let id = try #require(created.output.range(of: #"key_[0-9a-f]{8}"#, options: .regularExpression).map { String(created.output[$0]) })
        return (id, secret)
    }

    @Test(.timeLimit(.minutes(3))) func twoReplicasShareOneTruth() async throws {
        let database = try await PostgresTestDatabase.fresh().testURL
        let (dirs, logKey) = try Self.sharedSecrets(count: 2)
        let a = try Self.replica(dirs[0], database: database, logKey: logKey)
        defer { a.stop() }
        let b = try Self.replica(dirs[1], database: database, logKey: logKey)
        defer { b.stop() }
        try await a.waitUntilReady()
        try await b.waitUntilReady()

        // A conversation created through A is listed by B (the browser's cookie, issued by A, is good at B).
        let page = try await Self.send(a.base, "/")
        let cookie = try #require(page.headers["set-cookie"]?.split(separator: ";").first.map(String.init))
        let created = try await Self.send(a.base, "/api/conversations", method: "POST", body: #"{"title":"Қазақша сұхбат"}"#, cookie: cookie)
        #expect(created.status == 200 || created.status == 201, "\(created.body)")
        let listed = try await Self.send(b.base, "/api/conversations?q=%D2%9B%D0%B0%D0%B7%D0%B0%D2%9B%D1%88%D0%B0", cookie: cookie)
        #expect(listed.status == 200 && listed.body.contains("Қазақша сұхбат"), "\(listed.body)")

        // A key revoked (through the CLI, on the shared database) is refused by both at once.
        let doomed = try Self.newKey(database, name: "doomed")
        #expect(try await Self.send(b.base, "/v1/models", key: doomed.secret).status == 200)
        let revoked = try ServePeerTests.run(Self.aqyl, ["keys", "revoke", doomed.id, "--database", database])
        #expect(revoked.status == 0, "\(revoked.output)")
        #expect(try await Self.send(b.base, "/v1/models", key: doomed.secret).status == 401)
        #expect(try await Self.send(a.base, "/v1/models", key: doomed.secret).status == 401)

        // A limit of 4 a minute is 4 across both replicas together.
        let limited = try Self.newKey(database, name: "limited", limit: 4)
        var statuses: [Int] = []
        for i in 0..<8 { statuses.append(try await Self.send(i % 2 == 0 ? a.base : b.base, "/v1/models", key: limited.secret).status) }
        #expect(statuses.filter { $0 == 200 }.count == 4, "\(statuses)")
        #expect(statuses.filter { $0 == 429 }.count == 4, "\(statuses)")

        // Events from both replicas in one log; both serve the same checkpoint, and verify.
        let user = try Self.newKey(database, name: "user")
        for i in 0..<6 {
            let r = try await Self.send(i % 2 == 0 ? a.base : b.base, "/v1/chat/completions", method: "POST", body: Self.chat, key: user.secret)
            #expect(r.status == 200, "\(r.body)")
        }
        let converged = try await Self.eventually {
            let ca = try await Self.send(a.base, "/stats/checkpoint").body, cb = try await Self.send(b.base, "/stats/checkpoint").body
            return ca == cb && (NoteSize.of(ca) ?? 0) >= 6
        }
        #expect(converged)
        let va = try ServePeerTests.run(Self.aqyl, ["stats", "verify", "--url", a.base])
        let vb = try ServePeerTests.run(Self.aqyl, ["stats", "verify", "--url", b.base])
        #expect(va.status == 0 && vb.status == 0, "\(va.output)\n\(vb.output)")
        let root = { (output: String) in output.split(separator: "\n").first { $0.contains("merkle root") }.map(String.init) }
        #expect(root(va.output) != nil && root(va.output) == root(vb.output))
        let vd = try ServePeerTests.run(Self.aqyl, ["stats", "verify", "--database", database])
        #expect(vd.status == 0, "\(vd.output)")
        // One sequencer between them.
        let roles = [await Self.health(a.base)?.log.sequencer, await Self.health(b.base)?.log.sequencer]
        #expect(roles.compactMap { $0 }.filter { $0 }.count == 1, "\(roles)")
    }

    /// kill -9 of the sequencer while both replicas take chats: the other takes over, and
    /// every acknowledged request's event is in the log, which still only grew.
    @Test(.timeLimit(.minutes(3))) func killingTheSequencerLosesNothing() async throws {
        let database = try await PostgresTestDatabase.fresh().testURL
        let (dirs, logKey) = try Self.sharedSecrets(count: 2)
        let first = try Self.replica(dirs[0], database: database, logKey: logKey)
        defer { first.stop() }
        try await first.waitUntilReady()
        #expect(try await Self.eventually { await Self.health(first.base)?.log.sequencer == true })
        let second = try Self.replica(dirs[1], database: database, logKey: logKey)
        defer { second.stop() }
        try await second.waitUntilReady()
        let user = try Self.newKey(database, name: "load")
        // A checkpoint saved before the crash: the log after it must extend it.
        for _ in 0..<2 { _ = try await Self.send(second.base, "/v1/chat/completions", method: "POST", body: Self.chat, key: user.secret) }
        #expect(try await Self.eventually { (await Self.health(second.base)?.log.size ?? 0) >= 2 })
        let state = dirs[1].appendingPathComponent("verifier.state").path
        let before = try ServePeerTests.run(Self.aqyl, ["stats", "verify", "--url", second.base, "--state", state])
        #expect(before.status == 0, "\(before.output)")

        let acknowledged = Counter(), sent = Counter()
        let killAt = Date().addingTimeInterval(2)
        let stopAt = Date().addingTimeInterval(7)
        var takeover: Double?
        let firstBase = first.base, secondBase = second.base
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    var i = worker
                    while Date() < stopAt {
                        // Half the load on the sequencer until it dies, then all on the survivor.
                        let target = (i % 2 == 0 && Date() < killAt) ? firstBase : secondBase
                        i += 1
                        sent.add()
                        if let r = try? await Self.send(target, "/v1/chat/completions", method: "POST", body: Self.chat, key: user.secret),
                           r.status == 200 { acknowledged.add() }
                    }
                }
            }
            try await Task.sleep(until: .now + .seconds(killAt.timeIntervalSinceNow), clock: .continuous)
            kill(first.process.processIdentifier, SIGKILL)
            let killed = Date()
            if try await Self.eventually(15, { await Self.health(secondBase)?.log.sequencer == true }) {
                takeover = Date().timeIntervalSince(killed)
            }
            try await group.waitForAll()
        }
        let takeoverSeconds = try #require(takeover, "the survivor never became the sequencer")
        #expect(takeoverSeconds < 5)
        // Everything pending is integrated by the new sequencer.
        var events = 0
        let settled = try await Self.eventually(20) {
            let size = await Self.health(second.base)?.log.size ?? 0
            let page = try await Self.send(second.base, "/stats/entries?start=0&end=\(size)")
            let decoded = try JSONDecoder().decode(EntriesWire.self, from: Data(page.body.utf8))
            events = decoded.entries.compactMap { Data(base64Encoded: $0) }.filter { bytes in
                if case .event? = try? LedgerEntry(bytes: Array(bytes)) { return true } else { return false }
            }.count
            return events >= acknowledged.value + 2
        }
        print("replicas: kill -9 of the sequencer; takeover \(String(format: "%.2f", takeoverSeconds)) s; "
              + "\(acknowledged.value) of \(sent.value) requests acknowledged during the load; \(events - 2) of their events in the log")
        #expect(settled, "acknowledged \(acknowledged.value) (+2 before), events in the log \(events)")
        #expect(events <= sent.value + 2, "no event is counted twice")
        let after = try ServePeerTests.run(Self.aqyl, ["stats", "verify", "--url", second.base, "--state", state])
        #expect(after.status == 0, "\(after.output)")
        #expect(after.output.contains("PASS  append-only"), "\(after.output)")
        #expect(after.output.contains("PASS  every checkpoint"), "\(after.output)")
    }

    /// Replicas given nothing but the database (fresh data directories, no key files): the
    /// first one's secrets become everyone's, so cookies and pseudonyms work across them; a
    /// replica without the log's signing key appends and serves but does not sequence.
    @Test(.timeLimit(.minutes(3))) func replicasWithNothingButTheDatabaseWork() async throws {
        let database = try await PostgresTestDatabase.fresh().testURL
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-bare-\(UUID().uuidString)")
        let a = try ServePeerTests.RunningServer(model: Self.model, extra: ["--database", database], data: root.appendingPathComponent("a"))
        defer { a.stop() }
        try await a.waitUntilReady()
        let b = try ServePeerTests.RunningServer(model: Self.model, extra: ["--database", database], data: root.appendingPathComponent("b"))
        defer { b.stop() }
        try await b.waitUntilReady()
        let page = try await Self.send(a.base, "/")
        let cookie = try #require(page.headers["set-cookie"]?.split(separator: ";").first.map(String.init))
        let created = try await Self.send(a.base, "/api/conversations", method: "POST", body: #"{"title":"Бір дерек қоры"}"#, cookie: cookie)
        #expect(created.status == 200 || created.status == 201, "\(created.body)")
        #expect(try await Self.send(b.base, "/api/conversations", cookie: cookie).body.contains("Бір дерек қоры"))
        for base in [a.base, b.base] {
            let r = try await Self.send(base, "/v1/chat/completions", method: "POST", body: Self.chat, cookie: cookie)
            #expect(r.status == 200, "\(r.body)")
        }
        #expect(await Self.health(a.base)?.log.sequencer == true)
        #expect(await Self.health(b.base)?.log.sequencer == false)
        let converged = try await Self.eventually {
            let ca = try await Self.send(a.base, "/stats/checkpoint").body, cb = try await Self.send(b.base, "/stats/checkpoint").body
            return ca == cb && (NoteSize.of(ca) ?? 0) >= 2
        }
        #expect(converged)
        // One browser, one pseudonym, whichever replica answered.
        let entries = try JSONDecoder().decode(EntriesWire.self, from: Data(try await Self.send(b.base, "/stats/entries").body.utf8))
        let users = Set(entries.entries.compactMap { Data(base64Encoded: $0) }.compactMap { bytes -> String? in
            if case let .event(e)? = try? LedgerEntry(bytes: Array(bytes)) { return e.user } else { return nil }
        })
        #expect(users.count == 1, "\(users)")
    }

    @Test func anUnreachableDatabaseIsOneClearErrorAtStart() throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-nodb-\(UUID().uuidString)")
        let result = try ServePeerTests.run(Self.aqyl, ["serve", "--model", Self.model, "--data", data.path,
                                                        "--database", "postgres://aqyl:pw@127.0.0.1:1/aqyl"])
        #expect(result.status != 0)
        #expect(result.output.contains("cannot connect to postgres://aqyl:***@127.0.0.1:1/aqyl"), "\(result.output)")
        #expect(!result.output.contains(":pw@"), "the password is never printed")
        let malformed = try ServePeerTests.run(Self.aqyl, ["serve", "--model", Self.model, "--database", "postgres://nohost"])
        #expect(malformed.status != 0 && malformed.output.contains("database URL"), "\(malformed.output)")
    }
}

struct EntriesWire: Decodable { var entries: [String] }

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func add() { lock.withLock { n += 1 } }
    var value: Int { lock.withLock { n } }
}

enum NoteSize {
    static func of(_ note: String) -> Int? {
        try? Checkpoint(body: (note.components(separatedBy: "\n\n").first ?? "") + "\n").size
    }
}

/// The database goes away under a running replica and comes back.
@Suite(.serialized) struct DatabaseLossTests {
    /// A PostgreSQL cluster of this test's own (so stopping it disturbs no other test).
    struct Cluster {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-pg-loss-\(UUID().uuidString.prefix(8))").path
        let port = FreePort.next()
        var script: String { ServePeerTests.packageRoot.appendingPathComponent("scripts/postgres_start.sh").path }

        func run(_ arguments: [String] = []) async throws -> String {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/bash")
            p.arguments = [script] + arguments
            p.environment = ProcessInfo.processInfo.environment.merging(["AQYL_PG_DIR": dir, "AQYL_PG_PORT": String(port)]) { $1 }
            // A file, not a pipe: the server the script starts must not hold our end open.
            let out = dir + ".out"
            FileManager.default.createFile(atPath: out, contents: nil)
            p.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
            p.standardError = FileHandle.nullDevice
            try p.run()
            // Reaped here: Foundation can miss the exit of a script whose grandchild (the
            // server, started through su) lives on, and then waits forever.
            var status: Int32 = 0
            while waitpid(p.processIdentifier, &status, WNOHANG) == 0 { try await Task.sleep(for: .milliseconds(50)) }
            guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else { throw CocoaError(.executableLoad) }
            return (try String(contentsOfFile: out, encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    /// Stops the cluster from a `defer` (no await there): a detached stop, waited for briefly.
    static func stopSync(_ cluster: Cluster) {
        let done = DispatchSemaphore(value: 0)
        Task.detached { _ = try? await cluster.run(["--stop"]); done.signal() }
        _ = done.wait(timeout: .now() + 30)
        try? FileManager.default.removeItem(atPath: cluster.dir)
        try? FileManager.default.removeItem(atPath: cluster.dir + ".out")
    }

    @Test(.timeLimit(.minutes(3))) func requestsThatNeedTheDatabaseGet503AndTheServerRecovers() async throws {
        let cluster = Cluster()
        let url = try await cluster.run() + "?sslmode=disable"
        defer { Self.stopSync(cluster) }
        let (dirs, logKey) = try ReplicaTests.sharedSecrets(count: 1)
        let server = try ServePeerTests.RunningServer(model: ReplicaTests.model, extra: ["--database", url, "--log-key", logKey], data: dirs[0])
        defer { server.stop() }
        try await server.waitUntilReady()
        let key = try ReplicaTests.newKey(url, name: "k")
        let page = try await ReplicaTests.send(server.base, "/")
        let cookie = try #require(page.headers["set-cookie"]?.split(separator: ";").first.map(String.init))
        #expect(try await ReplicaTests.send(server.base, "/v1/chat/completions", method: "POST", body: ReplicaTests.chat, key: key.secret).status == 200)
        #expect(try await ReplicaTests.eventually { (await ReplicaTests.health(server.base)?.log.size ?? 0) >= 1 })

        _ = try await cluster.run(["--stop"])
        // A keyed request needs the database (is the key live?): 503 with Retry-After.
        let keyed = try await ReplicaTests.send(server.base, "/v1/chat/completions", method: "POST", body: ReplicaTests.chat, key: key.secret)
        #expect(keyed.status == 503, "\(keyed.body)")
        #expect(keyed.headers["retry-after"] != nil)
        #expect(keyed.body.contains("database_unavailable"), "\(keyed.body)")
        let conversations = try await ReplicaTests.send(server.base, "/api/conversations", cookie: cookie)
        #expect(conversations.status == 503, "\(conversations.body)")
        // Generation that does not need it goes on; its usage event waits in the local spool.
        let anonymous = try await ReplicaTests.send(server.base, "/v1/chat/completions", method: "POST", body: ReplicaTests.chat)
        #expect(anonymous.status == 200, "\(anonymous.body)")
        #expect((await ReplicaTests.health(server.base)?.log.spooled ?? 0) >= 1)

        _ = try await cluster.run()
        let recovered = try await ReplicaTests.eventually(30) {
            try await ReplicaTests.send(server.base, "/v1/chat/completions", method: "POST", body: ReplicaTests.chat, key: key.secret).status == 200
        }
        #expect(recovered, "the server did not recover by itself")
        // The spooled event reaches the log: nothing acknowledged is lost.
        #expect(try await ReplicaTests.eventually(30) {
            guard let log = await ReplicaTests.health(server.base)?.log else { return false }
            return log.spooled == 0 && log.size >= 3
        })
        let verified = try ServePeerTests.run(ReplicaTests.aqyl, ["stats", "verify", "--url", server.base])
        #expect(verified.status == 0, "\(verified.output)")
    }
}
