/// Request limits as token buckets: a bucket of `capacity` requests that refills
/// completely in `perSeconds` seconds. In memory for one process; in PostgreSQL when
/// replicas share the limits (one atomic statement per request).
public protocol RateLimitStore: Sendable {
    /// Takes one request from `key`'s bucket if it holds one.
    func acquire(key: String, capacity: Int, perSeconds: Int) async throws(StorageError) -> RateLimitDecision
}

public enum RateLimitDecision: Equatable, Sendable {
    case allowed
    /// Refused; a request will be allowed again after this many whole seconds.
    case limited(retryAfterSeconds: Int)
}

extension RateLimitStore {
    /// A bucket of `limit` requests a minute.
    public func acquire(key: String, perMinute limit: Int) async throws(StorageError) -> RateLimitDecision {
        try await acquire(key: key, capacity: limit, perSeconds: 60)
    }
}
