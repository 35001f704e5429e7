import PostgresNIO
import Storage

/// Token buckets in PostgreSQL, shared by every replica: a key limited to N requests a
/// minute gets N across all of them together.
///
/// One statement per request, atomic under the row lock of the key's bucket: refill by
/// the time since the last update (the database's clock, so replicas' clocks do not
/// matter), then take a token if there is one. Buckets idle for a day are full, which
/// is the same as none, and are swept now and then.
public struct PostgresRateLimitStore: RateLimitStore {
    let database: PostgresDatabase
    /// Keeps rounding in the refill from refusing a request that arrives exactly on time.
    private static let slack = 1e-9

    public init(_ database: PostgresDatabase) { self.database = database }

    public func acquire(key: String, capacity limit: Int, perSeconds window: Int) async throws(StorageError) -> RateLimitDecision {
        let capacity = Double(max(1, limit))
        let perSecond = capacity / Double(max(1, window))
        let threshold = 1 - Self.slack
        // `level` is the bucket refilled up to now; the same expression three times, since an
        // ON CONFLICT update cannot name a computed value.
        let rows = try await database.rows("""
            INSERT INTO rate_bucket AS b (key, tokens, updated, allowed) VALUES (\(key), \(capacity - 1), clock_timestamp(), true)
            ON CONFLICT (key) DO UPDATE SET
                allowed = least(\(capacity), b.tokens + extract(epoch FROM clock_timestamp() - b.updated)::float8 * \(perSecond)) >= \(threshold),
                tokens = CASE
                    WHEN least(\(capacity), b.tokens + extract(epoch FROM clock_timestamp() - b.updated)::float8 * \(perSecond)) >= \(threshold)
                    THEN greatest(0, least(\(capacity), b.tokens + extract(epoch FROM clock_timestamp() - b.updated)::float8 * \(perSecond)) - 1)
                    ELSE least(\(capacity), b.tokens + extract(epoch FROM clock_timestamp() - b.updated)::float8 * \(perSecond)) END,
                updated = clock_timestamp()
            RETURNING allowed, tokens
            """)
        guard let row = rows.first else { throw .database("the rate limit statement returned no row") }
        let allowed: Bool, tokens: Double
        do {
            allowed = try row.value("allowed")
            tokens = try row.value("tokens")
        } catch {
            throw PostgresDatabase.storageError(error)
        }
        if Int.random(in: 0..<1000) == 0 {
            _ = try? await database.rows("DELETE FROM rate_bucket WHERE updated < clock_timestamp() - interval '1 day'")
        }
        if allowed { return .allowed }
        let wait = (1 - tokens) / perSecond - Self.slack
        return .limited(retryAfterSeconds: max(1, Int(min(wait, 86_400).rounded(.up))))
    }
}
