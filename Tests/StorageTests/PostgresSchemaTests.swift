import Foundation
import GRDB
@testable import PostgresStore
import Storage
import Testing
import TestSupport

/// Migrations under a lock, schema versions, and what replicas share through PostgreSQL.
@Suite struct PostgresSchemaTests {
    @Test func replicasStartingTogetherMigrateOnce() async throws {
        let location = try await PostgresTestDatabase.fresh()
        // Four replicas open the same empty database at once: the advisory lock serializes them.
        let opened = try await withThrowingTaskGroup(of: PostgresDatabase.self) { group in
            for _ in 0..<4 { group.addTask { try await PostgresDatabase.open(location) } }
            var all: [PostgresDatabase] = []
            for try await db in group { all.append(db) }
            return all
        }
        #expect(opened.count == 4)
        let versions = try await opened[0].withRunning {
            try await opened[0].rows("SELECT version FROM aqyl_schema ORDER BY version").map { try $0.value("version", as: Int.self) }
        }
        #expect(versions == PostgresMigrations.steps.map(\.version))
    }

    @Test func aNewerSchemaIsRefused() async throws {
        let location = try await PostgresTestDatabase.fresh()
        let database = try await PostgresDatabase.open(location)
        try await database.withRunning {
            _ = try await database.rows("INSERT INTO aqyl_schema (version, name) VALUES (999, 'from-the-future')")
        }
        await #expect {
            _ = try await PostgresDatabase.open(location)
        } throws: { error in
            "\(error)".contains("schema is version 999") && "\(error)".contains("newer")
        }
    }

    @Test func aNewerSQLiteSchemaIsRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-newer-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        do {
            let store = try DataStore(directory: dir)
            try store.database.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-future')") }
        }
        #expect {
            _ = try DataStore(directory: dir)
        } throws: { error in
            "\(error)".contains("newer aqyl") && "\(error)".contains("v99-future")
        }
    }

    @Test func badLocationsNameTheProblem() async throws {
        let server = try PostgresTestDatabase.serverLocation()
        var wrongPassword = server
        wrongPassword.password = "not-the-password"
        wrongPassword.sslMode = .disable
        await #expect { _ = try await PostgresDatabase.open(wrongPassword) } throws: { "\($0)".contains("password authentication failed") }
        var missing = server
        missing.database = "aqyl_no_such_database"
        missing.sslMode = .disable
        await #expect { _ = try await PostgresDatabase.open(missing) } throws: { "\($0)".contains("does not exist") }
        var closed = server
        closed.port = 1
        await #expect {
            _ = try await PostgresDatabase.open(closed)
        } throws: { error in
            if case StorageError.unavailable = error { return true }
            return false
        }
        #expect(throws: StorageError.self) { try DatabaseLocation(parsing: "postgres://user@host") }
        #expect(throws: StorageError.self) { try DatabaseLocation(parsing: "mysql://user:pw@host/db") }
        #expect(throws: StorageError.self) { try DatabaseLocation(parsing: "postgres://u:p@h:99999/db") }
        #expect(throws: StorageError.self) { try DatabaseLocation(parsing: "postgres://u:p@h/db?sslmode=maybe") }
        #expect(try DatabaseLocation(parsing: "sqlite:/tmp/x.sqlite") == .sqlite(path: "/tmp/x.sqlite"))
        let parsed = try DatabaseLocation(parsing: "postgres://aqyl:s%40cret@db.local:6432/aqyl?sslmode=require")
        #expect(parsed == .postgres(PostgresLocation(host: "db.local", port: 6432, user: "aqyl", password: "s@cret",
                                                      database: "aqyl", sslMode: .require)))
        // The password never appears in what is printed.
        #expect(!parsed.description.contains("s@cret") && !parsed.description.contains("s%40cret"))
    }

    /// Replicas starting at once agree on a shared setting (a key's fingerprint): the first
    /// one's value, returned to all, never "not found" to the ones that waited on it.
    @Test func replicasStartingTogetherAgreeOnASharedSetting() async throws {
        let location = try await PostgresTestDatabase.fresh()
        var pools: [PostgresDatabase] = []
        for _ in 0..<6 { pools.append(try await PostgresDatabase.open(location)) }
        for pool in pools { pool.start() }
        let all = pools
        let values = try await withThrowingTaskGroup(of: (proposed: String, agreed: String).self) { group in
            for (i, pool) in all.enumerated() {
                group.addTask { ("value-\(i)", try await pool.sharedSetting("fingerprint", proposing: "value-\(i)")) }
            }
            var out: [(proposed: String, agreed: String)] = []
            for try await v in group { out.append(v) }
            return out
        }
        for pool in pools { await pool.stop() }
        #expect(Set(values.map(\.agreed)).count == 1, "\(values)")
        #expect(values.contains { $0.proposed == $0.agreed }, "the agreed value is one that was proposed")
    }

    /// Two replicas (two pools) share one key's limit: 10 a minute means 10 in all.
    @Test func aRateLimitIsSharedByReplicas() async throws {
        let location = try await PostgresTestDatabase.fresh()
        let a = try await PostgresDatabase.open(location), b = try await PostgresDatabase.open(location)
        let allowed = try await a.withRunning {
            try await b.withRunning {
                try await withThrowingTaskGroup(of: Bool.self) { group in
                    for i in 0..<30 {
                        let limits = PostgresRateLimitStore(i % 2 == 0 ? a : b)
                        group.addTask { try await limits.acquire(key: "key_shared", perMinute: 10) == .allowed }
                    }
                    var n = 0
                    for try await ok in group where ok { n += 1 }
                    return n
                }
            }
        }
        #expect(allowed == 10)
        // Refused requests are told when to come back (one token refills in 6 s).
        let c = try await PostgresDatabase.open(location)
        let limits = PostgresRateLimitStore(c)
        let (decision, other) = try await c.withRunning {
            (try await limits.acquire(key: "key_shared", perMinute: 10), try await limits.acquire(key: "key_other", perMinute: 10))
        }
        guard case let .limited(retryAfter) = decision else { Issue.record("expected a refusal, got \(decision)"); return }
        #expect((1...6).contains(retryAfter))
        // Another key has its own bucket.
        #expect(other == .allowed)
    }

    /// Two replicas appending to one conversation at once never take the same position.
    @Test func concurrentAppendsToOneConversationTakeTurns() async throws {
        let location = try await PostgresTestDatabase.fresh()
        let a = try await PostgresDatabase.open(location), b = try await PostgresDatabase.open(location)
        let positions = try await a.withRunning {
            try await b.withRunning {
                let c = try await PostgresConversationStore(a).createConversation(owner: "o", ConversationDraft(title: "t"))
                return try await withThrowingTaskGroup(of: Int.self) { group in
                    for i in 0..<20 {
                        let store = PostgresConversationStore(i % 2 == 0 ? a : b)
                        group.addTask {
                            try await store.appendMessage(conversationID: c.id, owner: "o", role: .user, content: "m\(i)", model: nil).position
                        }
                    }
                    var all: [Int] = []
                    for try await p in group { all.append(p) }
                    return all.sorted()
                }
            }
        }
        #expect(positions == Array(0..<20))
    }
}
