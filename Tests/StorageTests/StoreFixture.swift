import Foundation
import GRDB
@testable import PostgresStore
import Storage
import TestSupport

/// The two stores every repository test runs on.
enum StoreKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite, postgres
    var description: String { rawValue }
}

/// One store of either kind, fresh per test, seen through the repository protocols plus
/// the few raw reads the tests need.
struct StoreFixture: Sendable {
    let kind: StoreKind
    let conversations: any ConversationRepository
    let keys: any APIKeyRepository
    /// Every value in the `api_key` table, as text.
    let keyTable: @Sendable () async throws -> [String]
    /// Rows in `messages` plus rows in `feedback`.
    let messageAndFeedbackRows: @Sendable () async throws -> Int

    /// Runs `body` on a fresh store of `kind` (SQLite in a temporary directory, or a new
    /// PostgreSQL database) whose clock ticks one second per reading.
    static func with(_ kind: StoreKind, _ body: @Sendable (StoreFixture) async throws -> Void) async throws {
        let clock = TickingClock()
        switch kind {
        case .sqlite:
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-store-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: dir) }
            let data = try DataStore(directory: dir)
            try await body(StoreFixture(
                kind: kind, conversations: ConversationStore(data, now: { clock.tick() }), keys: APIKeyStore(data),
                keyTable: {
                    try await data.database.read { db in
                        try Row.fetchAll(db, sql: "SELECT * FROM api_key").flatMap { row in row.databaseValues.map { "\($0)" } }
                    }
                },
                messageAndFeedbackRows: {
                    try await data.database.read { db in
                        try Int.fetchOne(db, sql: "SELECT (SELECT COUNT(*) FROM messages) + (SELECT COUNT(*) FROM feedback)") ?? -1
                    }
                }))
        case .postgres:
            let database = try await PostgresDatabase.open(try await PostgresTestDatabase.fresh())
            try await database.withRunning {
                try await body(StoreFixture(
                    kind: kind, conversations: PostgresConversationStore(database, now: { clock.tick() }),
                    keys: PostgresAPIKeyStore(database),
                    keyTable: {
                        try await database.rows("SELECT row_to_json(k)::text AS j FROM api_key k").map { try $0.value("j", as: String.self) }
                    },
                    messageAndFeedbackRows: {
                        let rows = try await database.rows("SELECT (SELECT COUNT(*) FROM messages) + (SELECT COUNT(*) FROM feedback) AS n")
                        return Int(try rows[0].value("n", as: Int64.self))
                    }))
            }
        }
    }
}

/// A clock that advances one second per reading.
final class TickingClock: @unchecked Sendable {
    private let lock = NSLock()
    private var time = Date(timeIntervalSince1970: 1_700_000_000)

    func tick() -> Date {
        lock.lock()
        defer { lock.unlock() }
        time += 1
        return time
    }
}
