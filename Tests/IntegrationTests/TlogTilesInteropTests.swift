import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Ledger
import PostgresStore
import Storage
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

/// A one-machine deployment moved to PostgreSQL (`aqyl data migrate`), then served by a
/// replica: the same root in both stores, the conversations and keys carried over, and
/// the Go tile client verifies the replica's log.
@Suite(.serialized) struct MigrationInteropTests {
    @Test(.timeLimit(.minutes(3))) func aMigratedLogVerifiesTheSameOnAReplica() async throws {
        let client = try TlogTilesInteropTests.buildClient()
        let source = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-migrate-\(UUID().uuidString)")
        let conversation: Conversation
        do {
            let log = try TransparencyLog(directory: source.appendingPathComponent("ledger"), origin: "migrated.aqyl.test/stats")
            let now = Int(Date().timeIntervalSince1970)
            try log.append(contentsOf: try (0..<600).map { i in
                try LedgerEntry.event(UsageEvent(time: now, user: "", channel: .api, model: "m", conversation: nil,
                                                 promptTokens: i, completionTokens: 1, excluded: .anonymous)).bytes()
            })
            _ = try log.checkpoint()
            let store = try DataStore(directory: source)
            let conversations = ConversationStore(store)
            conversation = try await conversations.createConversation(owner: "browser-1", ConversationDraft(title: "Алматы ауа райы"))
            _ = try await conversations.appendMessage(conversationID: conversation.id, owner: "browser-1", role: .user,
                                                      content: "Ертең жаңбыр бола ма?", model: nil)
        }
        let key = try ServePeerTests.run(ReplicaTests.aqyl, ["keys", "create", "--data", source.path, "--name", "carried"])
        let secret = try #require(key.output.split(separator: "\n").first { $0.hasPrefix("aqyl-") }.map(String.init))

        let location = try await PostgresTestDatabase.fresh()
        let database = location.testURL
        let migrated = try ServePeerTests.run(ReplicaTests.aqyl, ["data", "migrate", "--from", "sqlite:" + source.appendingPathComponent("aqyl.sqlite").path,
                                                                  "--to", database])
        #expect(migrated.status == 0, "\(migrated.output)")
        #expect(migrated.output.contains("copied 1 conversations, 1 messages, 0 ratings, 1 API keys, 600 log entries and 1 checkpoints"),
                "\(migrated.output)")
        // Into an empty database only.
        let again = try ServePeerTests.run(ReplicaTests.aqyl, ["data", "migrate", "--from", "sqlite:" + source.appendingPathComponent("aqyl.sqlite").path,
                                                               "--to", database])
        #expect(again.status != 0 && again.output.contains("already holds data"), "\(again.output)")
        // Both stores verify, to the same root.
        let fromFiles = try ServePeerTests.run(ReplicaTests.aqyl, ["stats", "verify", "--data", source.path])
        let fromDatabase = try ServePeerTests.run(ReplicaTests.aqyl, ["stats", "verify", "--database", database])
        #expect(fromFiles.status == 0 && fromDatabase.status == 0, "\(fromFiles.output)\n\(fromDatabase.output)")

        // A replica on the migrated database, with the source's secrets.
        let replica = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-migrated-replica-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: replica.appendingPathComponent("ledger"), withIntermediateDirectories: true)
        // (This source never ran a server, so it may lack them; a real one has both.)
        for secret in ["ledger/pseudonym.key", "web-identity.key"]
        where FileManager.default.fileExists(atPath: source.appendingPathComponent(secret).path) {
            try FileManager.default.copyItem(at: source.appendingPathComponent(secret), to: replica.appendingPathComponent(secret))
        }
        let server = try ServePeerTests.RunningServer(
            model: ReplicaTests.model,
            extra: ["--database", database, "--log-key", source.appendingPathComponent("ledger/signing.key").path, "--api-key-required"],
            data: replica)
        defer { server.stop() }
        try await server.waitUntilReady()
        let served = try await ReplicaTests.send(server.base, "/stats/checkpoint").body
        let original = try #require(try RecordLog.read(path: source.appendingPathComponent("ledger/checkpoints.log").path).records.last)
        #expect(served == String(decoding: original, as: UTF8.self), "the replica serves the migrated checkpoint itself")
        let logKey = try await ReplicaTests.send(server.base, "/stats/key").body.trimmingCharacters(in: .whitespacesAndNewlines)
        for index in [0, 255, 599] {
            let r = try ServePeerTests.run(client, [server.base + "/stats", logKey, String(index)])
            #expect(r.status == 0 && r.output.hasPrefix("OK origin=migrated.aqyl.test/stats size=600"), "\(r.output)")
        }
        // The key and the conversation came along.
        #expect(try await ReplicaTests.send(server.base, "/v1/models", key: secret).status == 200)
        let pg = try await PostgresDatabase.open(location)
        let copied = try await pg.withRunning {
            try await PostgresConversationStore(pg).messages(conversationID: conversation.id, owner: "browser-1").messages
        }
        #expect(copied.map(\.content) == ["Ертең жаңбыр бола ма?"])
        // The log goes on from the migrated state.
        _ = try await ReplicaTests.send(server.base, "/v1/chat/completions", method: "POST", body: ReplicaTests.chat, key: secret)
        #expect(try await ReplicaTests.eventually { NoteSize.of(try await ReplicaTests.send(server.base, "/stats/checkpoint").body) == 601 })
        let grown = try ServePeerTests.run(client, [server.base + "/stats", logKey, "600"])
        #expect(grown.status == 0 && grown.output.contains("size=601"), "\(grown.output)")
    }
}
