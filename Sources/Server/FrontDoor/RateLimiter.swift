import Hummingbird
import OpenAIAPI
import Storage
import Synchronization

/// Per-key request limits as token buckets: a key limited to N requests a minute
/// may burst N at once, then gets one more every 60/N seconds.
///
/// A bucket rather than a fixed window, so there is no edge at which a client can
/// send 2N requests in a moment; state is one number and a time per key, in memory
/// (limits reset when the server restarts, which is fine for abuse protection). The
/// store of one process (SQLite); replicas share ``PostgresRateLimitStore`` instead.
final class RateLimiter: RateLimitStore {
    typealias Decision = RateLimitDecision

    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private let buckets = Mutex<[String: Bucket]>([:])
    private static let slack = 1e-9

    /// Most buckets kept; past this, full (idle) buckets are dropped, since a full
    /// bucket is the same as none. Bounds memory against a flood of distinct keys.
    private static let maxBuckets = 200_000

    /// Takes one request from `key`'s bucket if it holds one.
    /// - Complexity: O(1) under a lock (amortized; an occasional sweep is O(buckets)).
    func acquire(key: String, capacity limit: Int, perSeconds window: Int) async throws(StorageError) -> Decision {
        acquire(key: key, capacity: limit, perSeconds: window, now: .now)
    }

    func acquire(key: String, perMinute limit: Int, now: ContinuousClock.Instant) -> Decision {
        acquire(key: key, capacity: limit, perSeconds: 60, now: now)
    }

    /// A bucket of `capacity` that refills completely in `perSeconds` seconds.
    func acquire(key: String, capacity limit: Int, perSeconds window: Int, now: ContinuousClock.Instant) -> Decision {
        let capacity = Double(max(1, limit))
        let perSecond = capacity / Double(max(1, window))
        return buckets.withLock { buckets in
            if buckets.count >= Self.maxBuckets && buckets[key] == nil {
                buckets = buckets.filter { _, b in
                    let idle = b.updated.duration(to: now)
                    return Double(idle.components.seconds) < Double(window)
                }
            }
            var bucket = buckets[key] ?? Bucket(tokens: capacity, updated: now)
            let seconds = bucket.updated.duration(to: now).seconds
            // A lowered limit takes effect at once: never hold more than the current capacity.
            bucket.tokens = min(capacity, bucket.tokens + max(0, seconds) * perSecond)
            bucket.updated = now
            let decision: Decision
            // The slack keeps rounding in the refill from refusing a request that arrives exactly on time.
            if bucket.tokens >= 1 - Self.slack {
                bucket.tokens = max(0, bucket.tokens - 1)
                decision = .allowed
            } else {
                let wait = (1 - bucket.tokens) / perSecond - Self.slack
                decision = .limited(retryAfterSeconds: max(1, Int(wait.rounded(.up))))
            }
            buckets[key] = bucket
            return decision
        }
    }
}

extension RateLimitStore {
    /// The answer for a request on `record`'s key once it is past its per-minute limit
    /// (429 with `Retry-After`), or when the limit cannot be checked (503); nil when the
    /// request may go on.
    func refusal(for record: APIKeyRecord) async -> Response? {
        guard let limit = record.rateLimitPerMinute else { return nil }
        do {
            if case let .limited(retryAfter) = try await acquire(key: record.id, perMinute: limit) {
                return errorResponse(.rateLimited(retryAfterSeconds: retryAfter))
            }
            return nil
        } catch {
            return errorResponse(.storage(error))
        }
    }
}
