import Foundation

/// API keys, wherever they are stored: ``APIKeyStore`` (SQLite) or PostgreSQL. A key's
/// secret is returned once by `create` and stored only as its SHA-256.
public protocol APIKeyRepository: Sendable {
    /// Creates a key and returns it with its secret, which is never retrievable again.
    /// - Throws: ``StorageError/invalid(_:)`` for an empty name or a limit below 1.
    func create(name: String, synthetic: Bool, rateLimitPerMinute: Int?, now: Date) async throws(StorageError)
        -> (record: APIKeyRecord, secret: String)
    /// Every key, revoked ones included, oldest first.
    func list() async throws(StorageError) -> [APIKeyRecord]
    /// Revokes a key (keeping the first revocation time); requests carrying it are refused from then on.
    /// - Throws: ``StorageError/notFound(_:)`` when no key has this id.
    @discardableResult
    func revoke(id: String, now: Date) async throws(StorageError) -> APIKeyRecord
    /// The live key with this secret, or nil for an unknown or revoked one; records the
    /// last use (at most once a minute).
    func authenticate(secret: String, now: Date) async throws(StorageError) -> APIKeyRecord?
    /// The key with this public id (live or revoked), or nil.
    func record(id: String) async throws(StorageError) -> APIKeyRecord?
}

extension APIKeyRepository {
    public func create(name: String, synthetic: Bool = false, rateLimitPerMinute: Int? = nil) async throws(StorageError)
        -> (record: APIKeyRecord, secret: String) {
        try await create(name: name, synthetic: synthetic, rateLimitPerMinute: rateLimitPerMinute, now: Date())
    }

    @discardableResult
    public func revoke(id: String) async throws(StorageError) -> APIKeyRecord { try await revoke(id: id, now: Date()) }

    public func authenticate(secret: String) async throws(StorageError) -> APIKeyRecord? {
        try await authenticate(secret: secret, now: Date())
    }
}

/// The rules every key store shares, so both stores check and hash alike.
public enum APIKeyRules {
    /// Secrets start with this, so a leaked one is recognisable in logs and by secret scanners.
    public static let secretPrefix = "aqyl-"
    /// `last_used_at` is rewritten only when older than this, so busy keys don't turn reads into writes.
    public static let lastUsedResolution: TimeInterval = 60

    /// The trimmed name, after checking it and the limit.
    public static func validate(name: String, rateLimitPerMinute: Int?) throws(StorageError) -> String {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { throw .invalid("an API key needs a non-empty name") }
        if let limit = rateLimitPerMinute, limit < 1 {
            throw .invalid("the rate limit must be at least 1 request per minute, got \(limit)")
        }
        return name
    }
}
