import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Ledger
import Testing
import TestSupport

/// A witness process (`aqyl stats witness`) cosigns the checkpoints of a live server
/// (`aqyl serve --witness`), and `aqyl stats verify --witness … --quorum` counts it.
@Suite(.serialized) struct WitnessEndToEndTests {
    static var aqyl: String { ServePeerTests.packageRoot.appendingPathComponent(".build/debug/aqyl").path }

    @Test func aWitnessCosignsTheLiveLogAndVerifyCountsIt() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-wit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        // The log first (its key must exist for the witness to pin).
        let data = dir.appendingPathComponent("data")
        let server = try ServePeerTests.RunningServer(model: "smollm2-135m", extra: [], data: data)
        try await server.waitUntilReady()
        let (keyData, _) = try await URLSession.shared.data(from: try #require(URL(string: server.base + "/stats/key")))
        let logKey = String(decoding: keyData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        server.stop()
        server.process.waitUntilExit()

        let port = FreePort.next()
        let witness = Process()
        witness.executableURL = URL(fileURLWithPath: Self.aqyl)
        witness.arguments = ["stats", "witness", "--log", server.base, "--log-key", logKey, "--key", dir.appendingPathComponent("w.key").path,
                             "--state", dir.appendingPathComponent("w.state").path, "--name", "witness.test", "--port", String(port)]
        let out = Pipe()
        witness.standardOutput = out
        witness.standardError = FileHandle.nullDevice
        try witness.run()
        defer { witness.terminate() }
        // Its first output line is its verifier key.
        var witnessKey = ""
        let handle = out.fileHandleForReading
        for _ in 0..<100 where witnessKey.isEmpty {
            let chunk = String(decoding: handle.availableData, as: UTF8.self)
            witnessKey = chunk.split(separator: "\n").first { $0.hasPrefix("witness.test+") }.map(String.init) ?? ""
        }
        try #require(!witnessKey.isEmpty)

        let served = try ServePeerTests.RunningServer(model: "smollm2-135m", extra: ["--witness", "\(witnessKey)@http://127.0.0.1:\(port)"],
                                                       data: data)
        defer { served.stop() }
        try await served.waitUntilReady()
        var chat = URLRequest(url: try #require(URL(string: served.base + "/v1/chat/completions")))
        chat.httpMethod = "POST"
        chat.setValue("application/json", forHTTPHeaderField: "Content-Type")
        chat.httpBody = Data(#"{"model":"smollm2-135m","messages":[{"role":"user","content":"hi"}],"max_tokens":1}"#.utf8)
        for _ in 0..<2 {
            _ = try await URLSession.shared.data(for: chat)
            let (note, _) = try await URLSession.shared.data(from: try #require(URL(string: served.base + "/stats/checkpoint")))
            #expect(String(decoding: note, as: UTF8.self).contains("\u{2014} witness.test "), "\(String(decoding: note, as: UTF8.self))")
        }
        let verified = try ServePeerTests.run(Self.aqyl, ["stats", "verify", "--url", served.base, "--witness", witnessKey, "--quorum", "1"])
        #expect(verified.status == 0, "\(verified.output)")
        #expect(verified.output.contains("PASS  witnesses: 1 of 1 witnesses cosigned"), "\(verified.output)")
        // A witness that did not cosign does not count.
        let stranger = CosignatureSigner(name: "stranger", key: .init()).verifierKey
        let strangerKey = try ServePeerTests.run(Self.aqyl, ["stats", "verify", "--url", served.base, "--witness", stranger])
        #expect(strangerKey.status != 0)
        #expect(strangerKey.output.contains("FAIL  witnesses: 0 of 1"), "\(strangerKey.output)")
    }
}
