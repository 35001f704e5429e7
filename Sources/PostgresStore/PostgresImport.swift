import Foundation
import Ledger
import NIOCore
import PostgresNIO
import Storage

/// `aqyl data migrate`: copies a SQLite deployment (conversations, messages, feedback,
/// API keys with their hashes, and the usage log with every signed checkpoint) into an
/// empty PostgreSQL database, in one transaction: all of it or nothing.
public enum PostgresImport {
    /// What was copied.
    public struct Counts: Sendable, Equatable {
        public var conversations = 0, messages = 0, feedback = 0, keys = 0, entries = 0, checkpoints = 0
    }

    /// The usage log to copy: its name, its verifier key, its entries and every checkpoint.
    public struct Log: Sendable {
        public var origin: String
        public var verifierKey: String
        public var entries: [[UInt8]]
        public var checkpoints: [String]

        public init(origin: String, verifierKey: String, entries: [[UInt8]], checkpoints: [String]) {
            self.origin = origin
            self.verifierKey = verifierKey
            self.entries = entries
            self.checkpoints = checkpoints
        }
    }

    public static func run(_ export: StoreExport, log: Log?, into database: PostgresDatabase) async throws(StorageError) -> Counts {
        let rows = try await database.rows("""
            SELECT (SELECT count(*) FROM conversations) + (SELECT count(*) FROM api_key)
                 + (SELECT count(*) FROM ledger_entries) + (SELECT count(*) FROM ledger_meta) + (SELECT count(*) FROM ledger_pending) AS n
            """)
        let existing: Int64
        do { existing = try rows[0].value("n") } catch { throw PostgresDatabase.storageError(error) }
        guard existing == 0 else {
            throw .invalid("the target database already holds data (\(existing) rows of conversations, keys or log); "
                           + "migrate into an empty database")
        }
        let logger = database.logger
        return try await database.transaction(timeout: .seconds(3600)) { connection in
            var counts = Counts()
            for c in export.conversations {
                try await connection.query(PostgresConversationStore.insertion(c), logger: logger)
                counts.conversations += 1
            }
            for m in export.messages {
                try await PostgresConversationStore.insert(connection, m, logger: logger)
                counts.messages += 1
            }
            for f in export.feedback {
                try await PostgresConversationStore.insert(connection, f, logger: logger)
                counts.feedback += 1
            }
            for (record, hash) in export.keys {
                try await connection.query(PostgresAPIKeyStore.insertion(record, secretSHA256: hash), logger: logger)
                counts.keys += 1
            }
            if let log {
                try await connection.query("""
                    INSERT INTO ledger_meta (key, value) VALUES ('origin', \(log.origin)), ('verifier_key', \(log.verifierKey))
                    """, logger: logger)
                var start = 0
                while start < log.entries.count {
                    let end = min(start + 2000, log.entries.count)
                    let indices = (start..<end).map { Int64($0) }
                    let buffers = log.entries[start..<end].map { ByteBuffer(bytes: $0) }
                    try await connection.query("""
                        INSERT INTO ledger_entries (idx, entry) SELECT * FROM unnest(\(indices)::int8[], \(buffers)::bytea[])
                        """, logger: logger)
                    start = end
                }
                counts.entries = log.entries.count
                let verifier = try NoteVerifier(verifierKey: log.verifierKey)
                for note in log.checkpoints {
                    let checkpoint = try Checkpoint(body: try verifier.verify(note: note))
                    try await connection.query("INSERT INTO ledger_checkpoints (size, note) VALUES (\(checkpoint.size), \(note))",
                                               logger: logger)
                    counts.checkpoints += 1
                }
            }
            return counts
        }
    }
}
