import Foundation
import Synchronization

/// One server of an upstream pool: its place in the rotation and its counters.
///
/// A member is *healthy* (gets traffic) or *ejected* (gets only health checks). Any
/// ``UpstreamSettings/ejectAfter`` failures in a row — refused or broken connections,
/// 5xx answers, timeouts, failed health checks — eject it; ``UpstreamSettings/readmitAfter``
/// healthy checks in a row bring it back. A success resets the failure count.
final class UpstreamMember: Sendable {
    enum State: String, Sendable, Encodable {
        case healthy, ejected
    }

    struct Counters: Sendable {
        var state = State.healthy
        var inFlight = 0
        var requests = 0
        var errors = 0
        var ejections = 0
        var failuresInARow = 0
        var checksPassedInARow = 0
        /// When it was last ejected or re-admitted (for the pool's measurements).
        var changedAt: ContinuousClock.Instant?
        var lastError: String?
    }

    let spec: UpstreamModelSpec
    /// The member's label in metrics and /health: its base URL without credentials
    /// (configured, so the label set is bounded).
    var label: String { spec.displayURL }
    private let counters = Mutex(Counters())
    private let ejectAfter: Int
    private let readmitAfter: Int
    private let metrics: UpstreamMetrics

    init(spec: UpstreamModelSpec, ejectAfter: Int, readmitAfter: Int, metrics: UpstreamMetrics) {
        self.spec = spec
        self.ejectAfter = max(1, ejectAfter)
        self.readmitAfter = max(1, readmitAfter)
        self.metrics = metrics
        metrics.setUp(pool: spec.id, member: spec.displayURL, true)
        metrics.setInFlight(pool: spec.id, member: spec.displayURL, 0)
    }

    var snapshot: Counters { counters.withLock { $0 } }
    var isHealthy: Bool { counters.withLock { $0.state == .healthy } }
    var inFlight: Int { counters.withLock { $0.inFlight } }

    /// An attempt starts on this member.
    func begin() {
        let n = counters.withLock { c -> Int in
            c.inFlight += 1
            c.requests += 1
            return c.inFlight
        }
        metrics.countRequest(pool: spec.id, member: label)
        metrics.setInFlight(pool: spec.id, member: label, n)
    }

    /// The attempt is over (however it ended).
    func end() {
        let n = counters.withLock { c -> Int in
            c.inFlight = max(0, c.inFlight - 1)
            return c.inFlight
        }
        metrics.setInFlight(pool: spec.id, member: label, n)
    }

    /// The member answered properly.
    func succeeded() {
        counters.withLock { $0.failuresInARow = 0 }
    }

    /// The member failed a request or a health check (`kind` labels the error counter).
    func failed(_ kind: UpstreamFailureKind, detail: String, fromCheck: Bool = false, immediately: Bool = false) {
        let ejected = counters.withLock { c -> Bool in
            if !fromCheck { c.errors += 1 }
            c.lastError = detail
            c.failuresInARow += 1
            c.checksPassedInARow = 0
            guard c.state == .healthy, immediately || c.failuresInARow >= ejectAfter else { return false }
            c.state = .ejected
            c.ejections += 1
            c.changedAt = .now
            return true
        }
        if !fromCheck { metrics.countError(pool: spec.id, member: label, kind: kind) }
        if ejected {
            metrics.countEjection(pool: spec.id, member: label)
            metrics.setUp(pool: spec.id, member: label, false)
        }
    }

    /// A health check passed; returns true when it re-admitted the member.
    @discardableResult
    func checkPassed() -> Bool {
        let readmitted = counters.withLock { c -> Bool in
            c.failuresInARow = 0
            c.checksPassedInARow += 1
            guard c.state == .ejected, c.checksPassedInARow >= readmitAfter else { return false }
            c.state = .healthy
            c.changedAt = .now
            c.lastError = nil
            return true
        }
        if readmitted { metrics.setUp(pool: spec.id, member: label, true) }
        return readmitted
    }

    var health: MemberHealth {
        let c = snapshot
        return MemberHealth(url: label, weight: spec.weight, state: c.state, inFlight: c.inFlight, requests: c.requests,
                            errors: c.errors, ejections: c.ejections, lastError: c.lastError)
    }
}

/// Why an attempt on a member failed; the label of `aqyl_upstream_errors_total`.
enum UpstreamFailureKind: String, Sendable {
    /// Refused, reset or unreachable.
    case connect
    /// Connecting, the first byte, the silence between chunks, or the whole request took too long.
    case timeout
    /// A 5xx answer.
    case status5xx = "5xx"
    /// A 429 answer (not held against the member's health).
    case rateLimited = "429"
    /// An answer that is not the OpenAI protocol (not JSON, not SSE, a broken event).
    case malformed
    /// The connection broke in the middle of a response.
    case broken
}

/// A member in `GET /health`.
struct MemberHealth: Encodable {
    var url: String
    var weight: Int
    var state: UpstreamMember.State
    var inFlight: Int
    var requests: Int
    var errors: Int
    var ejections: Int
    var lastError: String?

    enum CodingKeys: String, CodingKey {
        case url, weight, state, requests, errors, ejections
        case inFlight = "in_flight"
        case lastError = "last_error"
    }
}

/// A pool in `GET /health`.
struct PoolHealth: Encodable {
    var members: [MemberHealth]
    var healthy: Int
    var fallback: String?
}
