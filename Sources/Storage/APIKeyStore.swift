import Crypto
import Foundation
import GRDB

/// API keys in the data directory: created by `aqyl keys create`, checked by the
/// server on every request that carries one.
///
/// A key's secret (`aqyl-` + 64 hex digits, 256 random bits) is returned once by
/// ``create(name:synthetic:rateLimitPerMinute:)`` and stored only as its SHA-256.
/// Lookup is by that hash, so there is no secret comparison to time; and with 256
/// bits of entropy an unsalted hash cannot be reversed by guessing.
public struct APIKeyStore: APIKeyRepository {
    public static let secretPrefix = APIKeyRules.secretPrefix
    static let lastUsedResolution = APIKeyRules.lastUsedResolution

    let database: DatabasePool

    public init(_ store: DataStore) {
        database = store.database
    }

    /// Creates a key and returns it with its secret, which is never retrievable again.
    /// - Throws: ``StorageError/invalid(_:)`` for an empty name or a limit below 1.
    public func create(name: String, synthetic: Bool = false, rateLimitPerMinute: Int? = nil,
                       now: Date = Date()) throws(StorageError) -> (record: APIKeyRecord, secret: String) {
        let name = try APIKeyRules.validate(name: name, rateLimitPerMinute: rateLimitPerMinute)
        let secret = Self.secretPrefix + Self.randomHex(bytes: 32)
        let hash = Self.hash(secret)
        return try Self.mapErrors {
            try database.write { db in
                // 32 random bits of public id: retry the rare collision instead of lengthening every id.
                for _ in 0..<8 {
                    let id = "key_" + Self.randomHex(bytes: 4)
                    guard try Self.fetch(id: id, db) == nil else { continue }
                    try db.execute(sql: """
                        INSERT INTO api_key (id, name, secret_sha256, synthetic, rate_limit_per_minute, created_at)
                        VALUES (?, ?, ?, ?, ?, ?)
                        """, arguments: [id, name, hash, synthetic, rateLimitPerMinute, now])
                    return (try Self.fetch(id: id, db)!, secret)
                }
                throw StorageError.database("could not pick an unused key id")
            }
        }
    }

    /// Every key, revoked ones included, oldest first.
    public func list() throws(StorageError) -> [APIKeyRecord] {
        try Self.mapErrors {
            try database.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM api_key ORDER BY created_at, id").map(APIKeyRecord.init(row:))
            }
        }
    }

    /// Revokes a key; requests carrying it are refused from then on. Revoking a
    /// revoked key keeps its first revocation time.
    /// - Throws: ``StorageError/notFound(_:)`` when no key has this id.
    @discardableResult
    public func revoke(id: String, now: Date = Date()) throws(StorageError) -> APIKeyRecord {
        try Self.mapErrors {
            try database.write { db in
                try db.execute(sql: "UPDATE api_key SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?",
                               arguments: [now, id])
                guard let record = try Self.fetch(id: id, db) else { throw StorageError.notFound("API key '\(id)'") }
                return record
            }
        }
    }

    /// The live key with this secret, or nil for an unknown or revoked one.
    /// Also records when the key was last used (at most once a minute).
    public func authenticate(secret: String, now: Date = Date()) async throws(StorageError) -> APIKeyRecord? {
        let hash = Self.hash(secret)
        return try await Self.mapErrors {
            let found = try await database.read { db in
                try Row.fetchOne(db, sql: "SELECT * FROM api_key WHERE secret_sha256 = ?", arguments: [hash])
                    .map(APIKeyRecord.init(row:))
            }
            guard var record = found, !record.isRevoked else { return nil }
            if record.lastUsedAt.map({ now.timeIntervalSince($0) >= Self.lastUsedResolution }) ?? true {
                let id = record.id
                try await database.write { db in
                    try db.execute(sql: "UPDATE api_key SET last_used_at = ? WHERE id = ?", arguments: [now, id])
                }
                record.lastUsedAt = now
            }
            return record
        }
    }

    /// The key with this public id (live or revoked), or nil.
    public func record(id: String) async throws(StorageError) -> APIKeyRecord? {
        try await Self.mapErrors {
            try await database.read { db in try Self.fetch(id: id, db) }
        }
    }

    /// The stored form of a secret: lowercase hex SHA-256 of its UTF-8 bytes.
    public static func hash(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Hex of cryptographically secure random bytes (the system generator reads the OS CSPRNG).
    public static func randomHex(bytes: Int) -> String {
        var rng = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max, using: &rng)) }.joined()
    }

    static func fetch(id: String, _ db: Database) throws -> APIKeyRecord? {
        try Row.fetchOne(db, sql: "SELECT * FROM api_key WHERE id = ?", arguments: [id]).map(APIKeyRecord.init(row:))
    }

    static func mapErrors<T>(_ body: () throws -> T) throws(StorageError) -> T {
        do { return try body() } catch let error as StorageError { throw error } catch { throw .database("\(error)") }
    }

    static func mapErrors<T>(_ body: () async throws -> T) async throws(StorageError) -> T {
        do { return try await body() } catch let error as StorageError { throw error } catch { throw .database("\(error)") }
    }
}

extension APIKeyStore {
    /// The `api_key` table; appended to ``DataStore/migrator``.
    static func registerMigrations(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("api-keys-v1") { db in
            try db.create(table: "api_key") { t in
                t.primaryKey("id", .text)
                t.column("name", .text).notNull()
                t.column("secret_sha256", .text).notNull().unique()
                t.column("synthetic", .boolean).notNull().defaults(to: false)
                t.column("rate_limit_per_minute", .integer)
                t.column("created_at", .datetime).notNull()
                t.column("revoked_at", .datetime)
                t.column("last_used_at", .datetime)
            }
        }
    }
}
