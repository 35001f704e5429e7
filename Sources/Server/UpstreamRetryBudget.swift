import Synchronization

/// How many retries a pool may send: a share of its recent requests plus a small steady
/// allowance, as a token bucket. When a whole pool is failing, every request would
/// otherwise turn into `maxAttempts` requests and pile onto the servers trying to recover.
final class UpstreamRetryBudget: Sendable {
    private struct Bucket {
        var tokens: Double
        var refilledAt: ContinuousClock.Instant
    }

    private let ratio: Double
    private let perSecond: Double
    /// The most retries that can be saved up.
    private let capacity: Double
    private let bucket: Mutex<Bucket>

    init(ratio: Double, perSecond: Double, capacity: Double = 10) {
        self.ratio = max(0, ratio)
        self.perSecond = max(0, perSecond)
        self.capacity = max(1, capacity)
        bucket = Mutex(Bucket(tokens: max(1, capacity), refilledAt: .now))
    }

    /// A first attempt earns `ratio` of a retry.
    func deposit() {
        bucket.withLock { b in
            refill(&b)
            b.tokens = min(capacity, b.tokens + ratio)
        }
    }

    /// Takes one retry from the budget; false when it is spent.
    func withdraw() -> Bool {
        bucket.withLock { b in
            refill(&b)
            guard b.tokens >= 1 else { return false }
            b.tokens -= 1
            return true
        }
    }

    private func refill(_ b: inout Bucket) {
        let now = ContinuousClock.now
        b.tokens = min(capacity, b.tokens + b.refilledAt.duration(to: now).seconds * perSecond)
        b.refilledAt = now
    }
}
