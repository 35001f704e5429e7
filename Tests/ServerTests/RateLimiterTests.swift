import Testing
@testable import Server

@Suite struct RateLimiterTests {
    @Test func burstThenOneTokenPerInterval() {
        let limiter = RateLimiter()
        let t0 = ContinuousClock.now
        // 6 a minute: a burst of 6, then one every 10 s.
        for _ in 0..<6 { #expect(limiter.acquire(key: "k", perMinute: 6, now: t0) == .allowed) }
        #expect(limiter.acquire(key: "k", perMinute: 6, now: t0) == .limited(retryAfterSeconds: 10))
        #expect(limiter.acquire(key: "k", perMinute: 6, now: t0.advanced(by: .seconds(4))) == .limited(retryAfterSeconds: 6))
        #expect(limiter.acquire(key: "k", perMinute: 6, now: t0.advanced(by: .seconds(10))) == .allowed)
        #expect(limiter.acquire(key: "k", perMinute: 6, now: t0.advanced(by: .seconds(10))) != .allowed)
        // A long pause refills to the burst size, not beyond.
        let later = t0.advanced(by: .seconds(3600))
        for _ in 0..<6 { #expect(limiter.acquire(key: "k", perMinute: 6, now: later) == .allowed) }
        #expect(limiter.acquire(key: "k", perMinute: 6, now: later) != .allowed)
    }

    @Test func keysAreIndependent() {
        let limiter = RateLimiter()
        let t0 = ContinuousClock.now
        #expect(limiter.acquire(key: "a", perMinute: 1, now: t0) == .allowed)
        #expect(limiter.acquire(key: "a", perMinute: 1, now: t0) == .limited(retryAfterSeconds: 60))
        #expect(limiter.acquire(key: "b", perMinute: 1, now: t0) == .allowed)
    }

    @Test func aLoweredLimitCapsTheBucketAtOnce() {
        let limiter = RateLimiter()
        let t0 = ContinuousClock.now
        #expect(limiter.acquire(key: "k", perMinute: 100, now: t0) == .allowed)
        #expect(limiter.acquire(key: "k", perMinute: 1, now: t0) == .allowed)
        #expect(limiter.acquire(key: "k", perMinute: 1, now: t0) != .allowed)
    }
}
