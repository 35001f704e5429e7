import Logging
import PostgresNIO
import Storage

/// The PostgreSQL schema, as numbered steps recorded in `aqyl_schema`.
///
/// Replicas starting together migrate one at a time: the steps run in one transaction
/// that first takes a transaction-level advisory lock, so the second replica waits,
/// then finds the steps applied. A database with a step this version does not know
/// (written by a newer aqyl) is refused, never half-understood.
enum PostgresMigrations {
    /// The advisory lock key of migrations ("aqyl" + 1).
    static let lockKey: Int64 = 0x6171_796C_0000_0001

    struct Step {
        var version: Int
        var name: String
        var sql: [String]
    }

    /// Append new steps at the end; never edit a shipped one.
    static let steps: [Step] = [
        Step(version: 1, name: "keys-conversations", sql: [
            "CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL)",
            """
            CREATE TABLE api_key (
                id text PRIMARY KEY, name text NOT NULL, secret_sha256 text NOT NULL UNIQUE,
                synthetic boolean NOT NULL DEFAULT false, rate_limit_per_minute integer,
                created_at bigint NOT NULL, revoked_at bigint, last_used_at bigint)
            """,
            // Timestamps are Unix milliseconds, as in the SQLite schema, so a migrated row is exactly equal.
            """
            CREATE TABLE conversations (
                id text PRIMARY KEY, owner text NOT NULL, title text NOT NULL, title_folded text NOT NULL,
                model text, system_prompt text, temperature double precision,
                created_at bigint NOT NULL, updated_at bigint NOT NULL)
            """,
            "CREATE INDEX conversations_owner_updated ON conversations (owner, updated_at)",
            """
            CREATE TABLE messages (
                id text PRIMARY KEY,
                conversation_id text NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
                position integer NOT NULL,
                role text NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
                content text NOT NULL, content_folded text NOT NULL, model text, created_at bigint NOT NULL,
                UNIQUE (conversation_id, position))
            """,
            """
            CREATE TABLE feedback (
                message_id text NOT NULL REFERENCES messages (id) ON DELETE CASCADE, owner text NOT NULL,
                rating integer NOT NULL CHECK (rating IN (-1, 1)), comment text, created_at bigint NOT NULL,
                PRIMARY KEY (message_id, owner))
            """,
        ]),
        Step(version: 2, name: "shared-rate-limits", sql: [
            // `allowed`: whether the last request took a token (what the upsert returns).
            """
            CREATE TABLE rate_bucket (
                key text PRIMARY KEY, tokens double precision NOT NULL, updated timestamptz NOT NULL,
                allowed boolean NOT NULL DEFAULT true)
            """,
        ]),
        Step(version: 3, name: "usage-log", sql: [
            "CREATE TABLE ledger_meta (key text PRIMARY KEY, value text NOT NULL)",
            // Appended by any replica; integrated (and deleted) by the sequencer. `uid` makes a
            // re-sent event (a spooled one, after a crash) a no-op.
            """
            CREATE TABLE ledger_pending (
                id bigserial PRIMARY KEY, uid uuid NOT NULL UNIQUE, entry bytea NOT NULL,
                added_at timestamptz NOT NULL DEFAULT clock_timestamp())
            """,
            "CREATE TABLE ledger_entries (idx bigint PRIMARY KEY, uid uuid UNIQUE, entry bytea NOT NULL)",
            """
            CREATE TABLE ledger_checkpoints (
                size bigint PRIMARY KEY, note text NOT NULL, signed_at timestamptz NOT NULL DEFAULT clock_timestamp())
            """,
        ]),
    ]

    static var latest: Int { steps.last?.version ?? 0 }

    /// Applies the missing steps; throws for a schema newer than ``latest``.
    static func migrate(_ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("BEGIN", logger: logger)
        do {
            try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
            try await connection.query("""
                CREATE TABLE IF NOT EXISTS aqyl_schema (
                    version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
                """, logger: logger)
            var applied = 0
            for try await version in try await connection.query("SELECT COALESCE(max(version), 0) FROM aqyl_schema", logger: logger)
                .decode(Int.self) { applied = version }
            guard applied <= latest else {
                throw StorageError.database("the database's schema is version \(applied), newer than this aqyl knows "
                                            + "(\(latest)); it was written by a newer aqyl: upgrade aqyl to use it")
            }
            for step in steps where step.version > applied {
                for statement in step.sql { try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
                try await connection.query("INSERT INTO aqyl_schema (version, name) VALUES (\(step.version), \(step.name))",
                                           logger: logger)
            }
            try await connection.query("COMMIT", logger: logger)
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }
}
