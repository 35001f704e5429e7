import Foundation
import PostgresNIO
import Storage

/// ``APIKeyRepository`` on PostgreSQL: the same rules as ``APIKeyStore`` (SQLite), so a
/// key created through one replica is checked, and a revocation refused, by every other
/// at once: each request reads the row.
public struct PostgresAPIKeyStore: APIKeyRepository {
    let database: PostgresDatabase

    public init(_ database: PostgresDatabase) { self.database = database }

    public func create(name: String, synthetic: Bool, rateLimitPerMinute: Int?, now: Date) async throws(StorageError)
        -> (record: APIKeyRecord, secret: String) {
        let name = try APIKeyRules.validate(name: name, rateLimitPerMinute: rateLimitPerMinute)
        let secret = APIKeyRules.secretPrefix + APIKeyStore.randomHex(bytes: 32)
        let hash = APIKeyStore.hash(secret)
        let created = now.unixMilliseconds
        // 32 random bits of public id: retry the rare collision instead of lengthening every id.
        for _ in 0..<8 {
            let id = "key_" + APIKeyStore.randomHex(bytes: 4)
            let rows = try await database.rows("""
                INSERT INTO api_key (id, name, secret_sha256, synthetic, rate_limit_per_minute, created_at)
                VALUES (\(id), \(name), \(hash), \(synthetic), \(rateLimitPerMinute), \(created))
                ON CONFLICT (id) DO NOTHING RETURNING *
                """)
            if let row = rows.first { return (try Self.record(row), secret) }
        }
        throw .database("could not pick an unused key id")
    }

    public func list() async throws(StorageError) -> [APIKeyRecord] {
        try await database.rows("SELECT * FROM api_key ORDER BY created_at, id").map { row throws(StorageError) in try Self.record(row) }
    }

    @discardableResult
    public func revoke(id: String, now: Date) async throws(StorageError) -> APIKeyRecord {
        let rows = try await database.rows("""
            UPDATE api_key SET revoked_at = COALESCE(revoked_at, \(now.unixMilliseconds)) WHERE id = \(id) RETURNING *
            """)
        guard let row = rows.first else { throw .notFound("API key '\(id)'") }
        return try Self.record(row)
    }

    public func authenticate(secret: String, now: Date) async throws(StorageError) -> APIKeyRecord? {
        let hash = APIKeyStore.hash(secret)
        guard let row = try await database.rows("SELECT * FROM api_key WHERE secret_sha256 = \(hash)").first else { return nil }
        var record = try Self.record(row)
        guard !record.isRevoked else { return nil }
        if record.lastUsedAt.map({ now.timeIntervalSince($0) >= APIKeyRules.lastUsedResolution }) ?? true {
            _ = try await database.rows("UPDATE api_key SET last_used_at = \(now.unixMilliseconds) WHERE id = \(record.id)")
            record.lastUsedAt = now
        }
        return record
    }

    public func record(id: String) async throws(StorageError) -> APIKeyRecord? {
        try await database.rows("SELECT * FROM api_key WHERE id = \(id)").first.map { row throws(StorageError) in try Self.record(row) }
    }

    static func record(_ row: PostgresRow) throws(StorageError) -> APIKeyRecord {
        do {
            return APIKeyRecord(
                id: try row.value("id"), name: try row.value("name"), synthetic: try row.value("synthetic"),
                rateLimitPerMinute: try row.value("rate_limit_per_minute", as: Int?.self),
                createdAt: Date(unixMilliseconds: try row.value("created_at")),
                revokedAt: try row.value("revoked_at", as: Int64?.self).map(Date.init(unixMilliseconds:)),
                lastUsedAt: try row.value("last_used_at", as: Int64?.self).map(Date.init(unixMilliseconds:)))
        } catch {
            throw PostgresDatabase.storageError(error)
        }
    }

    /// The statement that writes a key exactly as it is, hash included (`aqyl data migrate`).
    static func insertion(_ record: APIKeyRecord, secretSHA256: String) -> PostgresQuery {
        """
        INSERT INTO api_key (id, name, secret_sha256, synthetic, rate_limit_per_minute, created_at, revoked_at, last_used_at)
        VALUES (\(record.id), \(record.name), \(secretSHA256), \(record.synthetic), \(record.rateLimitPerMinute),
                \(record.createdAt.unixMilliseconds), \(record.revokedAt?.unixMilliseconds), \(record.lastUsedAt?.unixMilliseconds))
        """
    }
}
