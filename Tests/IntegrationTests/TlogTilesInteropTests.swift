import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Ledger
import Testing
import TestSupport
import UsageStats

/// The usage log as C2SP tlog-tiles, checked by the Go team's own client packages
/// (golang.org/x/mod/sumdb/note and tlog, Debian's golang-golang-x-mod-dev):
/// scripts/tlog_client verifies the signed checkpoint with the published key, checks the
/// hash tiles against the signed root, and proves entries' inclusion from their bundles.
@Suite(.serialized) struct TlogTilesInteropTests {
    static func buildClient() throws -> String {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-tlog-client-\(UUID().uuidString)")
        let source = ServePeerTests.packageRoot.appendingPathComponent("scripts/tlog_client/main.go").path
        let r = try ServePeerTests.run("env", ["GO111MODULE=off", "GOPATH=/usr/share/gocode",
                                               "GOCACHE=\(out.path)-cache", "go", "build", "-o", out.path, source])
        try #require(r.status == 0, "go build failed (.ci/run installs golang-go and golang-golang-x-mod-dev): \(r.output)")
        return out.path
    }

    @Test func theGoTileClientVerifiesTheLog() async throws {
        let client = try Self.buildClient()
        // 600 events: two full leaf tiles, a partial one, and a partial level-1 tile.
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-tiles-\(UUID().uuidString)")
        do {
            let log = try TransparencyLog(directory: data.appendingPathComponent("ledger"), origin: "tiles.aqyl.test/stats")
            let now = Int(Date().timeIntervalSince1970)
            let events = try (0..<600).map { i in
                try LedgerEntry.event(UsageEvent(time: now, user: "", channel: .api, model: "smollm2-135m", conversation: nil,
                                                 promptTokens: i, completionTokens: 1, excluded: .anonymous)).bytes()
            }
            try log.append(contentsOf: events)
        }
        let server = try ServePeerTests.RunningServer(model: "smollm2-135m", extra: [], data: data)
        defer { server.stop() }
        try await server.waitUntilReady()
        let (keyData, _) = try await URLSession.shared.data(from: try #require(URL(string: server.base + "/stats/key")))
        let key = String(decoding: keyData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        for index in [0, 255, 256, 511, 599] {
            let r = try ServePeerTests.run(client, [server.base + "/stats", key, String(index)])
            #expect(r.status == 0, "index \(index): \(r.output)")
            #expect(r.output.hasPrefix("OK origin=tiles.aqyl.test/stats size=600"), "\(r.output)")
        }
        // A wrong key is refused by the Go note package.
        let other = NoteSigner(name: "tiles.aqyl.test/stats", key: .init()).verifierKey
        let refused = try ServePeerTests.run(client, [server.base + "/stats", other, "0"])
        #expect(refused.status != 0)
        #expect(refused.output.contains("checkpoint signature"), "\(refused.output)")

        // Full tiles are immutable; non-canonical paths and tiles beyond the log are 404s.
        let full = try await URLSession.shared.data(from: try #require(URL(string: server.base + "/stats/tile/0/001")))
        let http = try #require(full.1 as? HTTPURLResponse)
        #expect(http.statusCode == 200)
        #expect(full.0.count == 256 * 32)
        #expect(http.value(forHTTPHeaderField: "Cache-Control")?.contains("immutable") == true)
        for path in ["/stats/tile/0/x000/001", "/stats/tile/0/003", "/stats/tile/0/002.p/89", "/stats/tile/entries/002"] {
            let (_, response) = try await URLSession.shared.data(from: try #require(URL(string: server.base + path)))
            #expect((response as? HTTPURLResponse)?.statusCode == 404, "\(path)")
        }

        // More entries: the old partial tiles stay valid, and the grown log verifies too.
        var chat = URLRequest(url: try #require(URL(string: server.base + "/v1/chat/completions")))
        chat.httpMethod = "POST"
        chat.setValue("application/json", forHTTPHeaderField: "Content-Type")
        chat.httpBody = Data(#"{"model":"smollm2-135m","messages":[{"role":"user","content":"hi"}],"max_tokens":1}"#.utf8)
        _ = try await URLSession.shared.data(for: chat)
        let grown = try ServePeerTests.run(client, [server.base + "/stats", key, "600"])
        #expect(grown.status == 0 && grown.output.contains("size=601"), "\(grown.output)")
        let (old, _) = try await URLSession.shared.data(from: try #require(URL(string: server.base + "/stats/tile/0/002.p/88")))
        #expect(old.count == 88 * 32)
    }
}
