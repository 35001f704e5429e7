import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Ledger
import Testing
import TestSupport

/// The honest-numbers loop with the real binary: serve, chat from several
/// identities (some synthetic), `aqyl stats verify` passes; tamper with the
/// data directory and it fails; kill -9 loses no acknowledged event.
@Suite(.serialized) struct StatsEndToEndTests {
    static var aqyl: String { ServePeerTests.packageRoot.appendingPathComponent(".build/debug/aqyl").path }

    static func chat(_ base: String, cookie: String? = nil, key: String? = nil, web: Bool = false) async throws -> Int {
        var r = URLRequest(url: try #require(URL(string: base + "/v1/chat/completions")))
        r.httpMethod = "POST"
        r.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if let cookie { r.setValue("aqyl_uid=\(cookie)", forHTTPHeaderField: "Cookie") }
        if let key { r.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
        if web {
            r.setValue("web-chat", forHTTPHeaderField: "X-Aqyl-Client")
            r.setValue("conv-\(cookie ?? "")", forHTTPHeaderField: "X-Aqyl-Conversation")
        }
        r.httpBody = Data(#"{"model":"smollm2-135m","messages":[{"role":"user","content":"Сәлем!"}],"max_tokens":2,"temperature":0}"#.utf8)
        let (_, response) = try await session.data(for: r)
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }

    /// No cookie jar: each test says exactly which cookie a request carries.
    static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        return URLSession(configuration: configuration)
    }()

    /// `n` browser identities issued by the server (the page's `Set-Cookie`), as cookie values.
    static func issuedCookies(_ base: String, _ n: Int) async throws -> [String] {
        var out: [String] = []
        for _ in 0..<n {
            let (_, response) = try await session.data(from: try #require(URL(string: base + "/")))
            let header = try #require((response as? HTTPURLResponse)?.value(forHTTPHeaderField: "Set-Cookie"))
            let pair = try #require(header.split(separator: ";").first)
            out.append(String(try #require(pair.split(separator: "=", maxSplits: 1).last)))
        }
        return out
    }

    @Test func verifyPassesThenFailsAfterTampering() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-e2e-\(UUID().uuidString)")
        let synthetic = try ServePeerTests.run(Self.aqyl, ["keys", "create", "--name", "load", "--synthetic", "--data", data.path])
        let developer = try ServePeerTests.run(Self.aqyl, ["keys", "create", "--name", "dev", "--data", data.path])
        try #require(synthetic.status == 0 && developer.status == 0)
        let loadKey = try #require(synthetic.output.split(separator: "\n").first { $0.hasPrefix("aqyl-") }.map(String.init))
        let devKey = try #require(developer.output.split(separator: "\n").first { $0.hasPrefix("aqyl-") }.map(String.init))

        let server = try ServePeerTests.RunningServer(model: "smollm2-135m", extra: [], data: data)
        defer { server.stop() }
        try await server.waitUntilReady()
        let cookies = try await Self.issuedCookies(server.base, 7)
        // A cookie the server did not issue is no identity: anonymous, excluded, no user.
        #expect(try await Self.chat(server.base, cookie: String(format: "%032x", 0xabc000), web: true) == 200)
        for i in 0..<6 { #expect(try await Self.chat(server.base, cookie: cookies[i], web: true) == 200) }
        for _ in 0..<3 { #expect(try await Self.chat(server.base, key: loadKey) == 200) }
        #expect(try await Self.chat(server.base, key: devKey) == 200)
        #expect(try await Self.chat(server.base, cookie: cookies[6]) == 200)  // no script header: excluded

        let state = data.appendingPathComponent("verify-state.txt").path
        let first = try ServePeerTests.run(Self.aqyl, ["stats", "verify", "--url", server.base, "--state", state])
        print(first.output)
        #expect(first.status == 0, "\(first.output)")
        #expect(first.output.contains("PASS  published figures"))

        // The figures: 7 counted users (6 browsers + the dev key), synthetic and no-script excluded.
        let report = try ServePeerTests.run(Self.aqyl, ["stats", "report", "--url", server.base, "--json"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.output.utf8)) as? [String: Any])
        let today = try #require((json["days"] as? [[String: Any]])?.last)
        #expect(today["dau"] as? Int == 7)
        #expect((today["excluded"] as? [String: Int]) == ["synthetic": 3, "no_script": 1, "anonymous": 1])

        // More traffic, then the log must be a consistent extension of the saved checkpoint.
        for i in 0..<2 { #expect(try await Self.chat(server.base, cookie: cookies[i], web: true) == 200) }
        let second = try ServePeerTests.run(Self.aqyl, ["stats", "verify", "--url", server.base, "--state", state])
        #expect(second.status == 0, "\(second.output)")
        #expect(second.output.contains("PASS  append-only"))
        server.stop()
        server.process.waitUntilExit()

        // The data directory verifies on its own too.
        let local = try ServePeerTests.run(Self.aqyl, ["stats", "verify", "--data", data.path])
        #expect(local.status == 0, "\(local.output)")

        // Rewrite one event (more tokens) with valid framing: the signed root no longer matches.
        let entriesPath = data.appendingPathComponent("ledger/entries.log").path
        var records = try RecordLog.open(path: entriesPath).records
        let original = String(decoding: records[2], as: UTF8.self)
        records[2] = Array(original.replacingOccurrences(of: #""completion_tokens":2"#, with: #""completion_tokens":9"#).utf8)
        #expect(records[2] != Array(original.utf8))
        try FileManager.default.removeItem(atPath: entriesPath)
        let forged = try RecordLog.open(path: entriesPath).log
        for r in records { try forged.append(r) }
        let tampered = try ServePeerTests.run(Self.aqyl, ["stats", "verify", "--data", data.path])
        print(tampered.output)
        #expect(tampered.status != 0)
        #expect(tampered.output.contains("FAIL"))
        // And the server refuses to start on a log that contradicts its own signed checkpoints.
        let restarted = try ServePeerTests.run(Self.aqyl, ["serve", "--data", data.path, "--port", "1"])
        #expect(restarted.status != 0)
        #expect(restarted.output.contains("inconsistent"))
    }

    @Test func killNineLosesNoAcknowledgedEvent() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-kill-\(UUID().uuidString)")
        let server = try ServePeerTests.RunningServer(model: "smollm2-135m", extra: [], data: data)
        try await server.waitUntilReady()
        var acknowledged = 0
        let cookies = try await Self.issuedCookies(server.base, 8)
        for i in 0..<8 where try await Self.chat(server.base, cookie: cookies[i], web: true) == 200 { acknowledged += 1 }
        kill(server.process.processIdentifier, SIGKILL)
        server.process.waitUntilExit()
        let entries = try RecordLog.open(path: data.appendingPathComponent("ledger/entries.log").path).records
        #expect(entries.count >= acknowledged)
        #expect(acknowledged == 8)

        // A torn tail (half a record, as a crash mid-write leaves) is cut on start, and said so.
        let handle = try FileHandle(forWritingTo: data.appendingPathComponent("ledger/entries.log"))
        handle.seekToEndOfFile()
        handle.write(Data([40, 0, 0, 0, 0x7b, 0x22]))
        try handle.close()
        let again = try ServePeerTests.RunningServer(model: "smollm2-135m", extra: [], data: data)
        defer { again.stop() }
        try await again.waitUntilReady()
        again.stop()
        again.process.waitUntilExit()
        let log = String(decoding: again.output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(log.contains("torn tail of 6 bytes"), "\(log)")
        #expect(try RecordLog.open(path: data.appendingPathComponent("ledger/entries.log").path).records.count == entries.count)
    }

    /// `verify --data` checks every stored checkpoint (a corrupted older one fails) and only
    /// reads: a torn tail is reported and left in place.
    @Test func verifyChecksEveryCheckpointAndChangesNothing() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-hist-\(UUID().uuidString)")
        let server = try ServePeerTests.RunningServer(model: "smollm2-135m", extra: [], data: data)
        try await server.waitUntilReady()
        for _ in 0..<3 {
            #expect(try await Self.chat(server.base) == 200)
            _ = try await Self.session.data(from: try #require(URL(string: server.base + "/stats/checkpoint")))
        }
        server.stop()
        server.process.waitUntilExit()
        let ledger = data.appendingPathComponent("ledger")
        let clean = try ServePeerTests.run(Self.aqyl, ["stats", "verify", "--data", data.path])
        #expect(clean.status == 0, "\(clean.output)")
        #expect(clean.output.contains("PASS  every checkpoint"), "\(clean.output)")

        // A torn tail (a crash mid-write) is reported, not cut.
        let entriesURL = ledger.appendingPathComponent("entries.log")
        let handle = try FileHandle(forWritingTo: entriesURL)
        handle.seekToEndOfFile()
        handle.write(Data([40, 0, 0, 0, 0x7b, 0x22]))
        try handle.close()
        let before = try Data(contentsOf: entriesURL)
        let torn = try ServePeerTests.run(Self.aqyl, ["stats", "verify", "--data", data.path])
        #expect(torn.status == 0, "\(torn.output)")
        #expect(torn.output.contains("cut short"), "\(torn.output)")
        #expect(try Data(contentsOf: entriesURL) == before)

        // Corrupt the oldest checkpoint's signature, keeping the file's framing valid.
        let checkpointsPath = ledger.appendingPathComponent("checkpoints.log").path
        var notes = try RecordLog.read(path: checkpointsPath).records
        try #require(notes.count >= 3)
        notes[0][notes[0].count - 6] ^= 1
        try FileManager.default.removeItem(atPath: checkpointsPath)
        let rewritten = try RecordLog.open(path: checkpointsPath).log
        for n in notes { try rewritten.append(n) }
        let corrupted = try ServePeerTests.run(Self.aqyl, ["stats", "verify", "--data", data.path])
        #expect(corrupted.status != 0, "\(corrupted.output)")
        #expect(corrupted.output.contains("FAIL  every checkpoint"), "\(corrupted.output)")
    }
}
