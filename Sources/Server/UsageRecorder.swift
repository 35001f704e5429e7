import Foundation
import Ledger
import PostgresStore
import Synchronization
import UsageStats

/// Appends one pseudonymous event per answered (or refused) model request to the
/// transparency log, and the daily aggregates once their UTC day is over.
///
/// Two logs, one set of rules:
/// - a local log (``TransparencyLog``, one process): this recorder orders the entries
///   itself, so it decides the inhuman-rate exclusion and appends each aggregate as soon
///   as an event of a later day arrives;
/// - a shared log (``ReplicatedLog``, replicas on PostgreSQL): replicas only append
///   events; the sequencer calls ``arrange(_:now:)`` with each batch, which decides the
///   inhuman rate over every replica's events and appends the aggregate of a day once it
///   is ``dayCloseGrace`` past (an event that reaches it later counts on the next open day).
final class UsageRecorder: Sendable {
    let log: any PublishedLog
    private let backend: Backend
    private let pseudonyms: Pseudonymizer
    private let state: Mutex<State>

    enum Backend: Sendable {
        case local(TransparencyLog)
        case shared(ReplicatedLog)
    }

    /// How long after midnight (UTC) the shared log closes a day: requests that finished
    /// just before midnight on another replica have this long to reach the sequencer.
    static let dayCloseGrace = 120

    private struct State {
        var events: [UsageEvent] = []
        /// The log index of each of `events` (aggregates sit between them), ascending.
        var eventIndices: [Int] = []
        /// Entries of the log read into `events` so far.
        var ingested = 0
        /// Days that already have an aggregate entry.
        var aggregated: Set<Int> = []
        /// Local log: per identity, the minute and how many requests it sent in it.
        var rate: [String: (minute: Int, count: Int)] = [:]
        /// Shared log: per minute, events per pseudonym among the integrated entries (recent minutes only).
        var recent: [Int: [String: Int]] = [:]
        /// Reports keyed by (log size, from, to): the log's first `size` entries never
        /// change, so a report once computed is immutable. A few, least recently used out.
        var cache: [String: UsageReport] = [:]
        var cacheOrder: [String] = []
    }

    /// A recorder on the local log in `directory`.
    convenience init(directory: URL, origin: String?, report: (String) -> Void) throws {
        let log = try TransparencyLog(directory: directory, origin: origin, report: report)
        try self.init(backend: .local(log), pseudonyms: try Pseudonymizer.load(directory: directory), report: report)
    }

    init(backend: Backend, pseudonyms: Pseudonymizer, report: (String) -> Void) throws {
        self.backend = backend
        switch backend {
        case let .local(log): self.log = log
        case let .shared(log): self.log = log
        }
        self.pseudonyms = pseudonyms
        var s = State()
        Self.ingest(&s, log: log, report: report)
        state = Mutex(s)
        if case let .shared(log) = backend {
            // Weak: the log outlives no one, but must not keep the recorder alive.
            log.setArranger { [weak self] pending, now in
                self?.arrange(pending, now: now) ?? ReplicatedLog.keepOrder(pending, now)
            }
        }
    }

    /// What the request was, as the server saw it.
    struct Request {
        var caller: Caller
        var model: String
        var conversation: String?
        var promptTokens: Int
        var completionTokens: Int
        /// The model produced a response (at least one token, or a finished request).
        var responded: Bool
        /// The web page's script sent it (its `X-Aqyl-Client` header).
        var fromWebScript: Bool
    }

    /// Appends the request's event durably (returns after the fdatasync, or the database's
    /// commit, or the local spool's fdatasync while the database is away).
    func record(_ r: Request, now: Date = Date()) async {
        let time = Int(now.timeIntervalSince1970)
        let identity = r.caller.kind == .anonymous ? "" : "\(r.caller.kind.rawValue):\(r.caller.id)"
        let channel: UsageEvent.Channel = r.caller.kind == .web ? .web : .api
        let excluded: UsageEvent.Exclusion?
        if r.caller.synthetic { excluded = .synthetic }
        else if !r.responded { excluded = .noResponse }
        else if r.caller.kind == .anonymous { excluded = .anonymous }
        else if r.caller.kind == .web && !r.fromWebScript { excluded = .noScript }
        else { excluded = nil }
        var event = UsageEvent(
            time: time, user: identity.isEmpty ? "" : pseudonyms.pseudonym(identity), channel: channel, model: r.model,
            conversation: channel == .web ? r.conversation.map { pseudonyms.pseudonym("conversation:\($0)") } : nil,
            promptTokens: r.promptTokens, completionTokens: r.completionTokens, excluded: excluded)
        switch backend {
        case let .shared(log):
            // The sequencer decides the inhuman rate, over every replica's events.
            guard let bytes = try? LedgerEntry.event(event).bytes() else { return }
            try? await log.append(bytes)
        case let .local(log):
            state.withLock { s in
                appendAggregates(through: UTCDay.number(time) - 1, state: &s, log: log)
                let minute = time / 60
                var rate = s.rate[identity] ?? (minute, 0)
                if rate.minute != minute { rate = (minute, 0) }
                rate.count += 1
                s.rate[identity] = rate
                if s.rate.count > 100_000 { s.rate = s.rate.filter { $0.value.minute == minute } }
                if event.excluded == nil && rate.count > Definitions.humanRequestsPerMinute { event.excluded = .inhumanRate }
                guard let bytes = try? LedgerEntry.event(event).bytes(), (try? log.append(bytes)) != nil else { return }
                Self.ingest(&s, log: log)
            }
        }
    }

    /// Reads the log's new entries into the state.
    private static func ingest(_ s: inout State, log: any PublishedLog, report: (String) -> Void = { _ in }) {
        let size = log.size
        guard s.ingested < size else { return }
        var newest = s.recent.keys.max() ?? 0
        for (offset, bytes) in log.entries(in: s.ingested..<size).enumerated() {
            let index = s.ingested + offset
            switch try? LedgerEntry(bytes: bytes) {
            case let .event(e):
                s.events.append(e)
                s.eventIndices.append(index)
                let minute = e.time / 60
                s.recent[minute, default: [:]][e.user, default: 0] += 1
                newest = max(newest, minute)
            case let .aggregate(a):
                if let d = UTCDay.day(of: a.figures.day) { s.aggregated.insert(d) }
            case nil:
                report("ledger: entry \(index) is not a usage entry; it is kept but not counted")
            }
        }
        s.ingested = size
        // Rate counts matter only for minutes still arriving.
        s.recent = s.recent.filter { $0.key >= newest - 10 }
    }

    /// Local log: appends the aggregate of every finished day since the first event that lacks one.
    private func appendAggregates(through lastDay: Int, state s: inout State, log: TransparencyLog) {
        Self.ingest(&s, log: log)
        guard let first = s.events.first.map({ UTCDay.number($0.time) }), first <= lastDay else { return }
        let calculator = UsageCalculator(events: s.events)
        for day in first...lastDay where !s.aggregated.contains(day) {
            guard let bytes = try? LedgerEntry.aggregate(AggregateRecord(figures: calculator.figures(day: day))).bytes(),
                  (try? log.append(bytes)) != nil else { return }
            s.aggregated.insert(day)
        }
        Self.ingest(&s, log: log)
    }

    /// Shared log, on the sequencer: the final form and order of a batch of pending events
    /// (inhuman rate decided, late events moved to the first open day), followed by the
    /// aggregate of each day that has closed.
    func arrange(_ pending: [[UInt8]], now: Date) -> [ReplicatedLog.ArrangedEntry] {
        state.withLock { s in
            Self.ingest(&s, log: log)
            let lastClosed = s.aggregated.max()
            var out: [ReplicatedLog.ArrangedEntry] = []
            var batch: [UsageEvent] = []
            var counts: [Int: [String: Int]] = [:]
            for (i, bytes) in pending.enumerated() {
                guard case var .event(e)? = try? LedgerEntry(bytes: bytes) else {
                    out.append(.init(bytes: bytes, source: i))
                    continue
                }
                var changed = false
                if let lastClosed, UTCDay.number(e.time) <= lastClosed {
                    e.time = (lastClosed + 1) * 86400
                    changed = true
                }
                let minute = e.time / 60
                counts[minute, default: [:]][e.user, default: 0] += 1
                let seen = (s.recent[minute]?[e.user] ?? 0) + counts[minute]![e.user]!
                if e.excluded == nil && seen > Definitions.humanRequestsPerMinute {
                    e.excluded = .inhumanRate
                    changed = true
                }
                let final = changed ? ((try? LedgerEntry.event(e).bytes()) ?? bytes) : bytes
                out.append(.init(bytes: final, source: i))
                batch.append(e)
            }
            let closedThrough = UTCDay.number(Int(now.timeIntervalSince1970) - Self.dayCloseGrace) - 1
            let firstDay = (s.events.first ?? batch.first).map { UTCDay.number($0.time) }
            if let firstDay, firstDay <= closedThrough {
                let start = max(firstDay, (lastClosed ?? Int.min) + 1)
                if start <= closedThrough {
                    let calculator = UsageCalculator(events: s.events + batch)
                    for day in start...closedThrough where !s.aggregated.contains(day) {
                        guard let bytes = try? LedgerEntry.aggregate(AggregateRecord(figures: calculator.figures(day: day))).bytes()
                        else { break }
                        out.append(.init(bytes: bytes, source: nil))
                    }
                }
            }
            return out
        }
    }

    /// Runs `body` while no event can be appended to a local log (so none is half written
    /// when it exits the process). A shared log's appends are database commits or spool
    /// writes, each whole or absent.
    func pauseAppends(_ body: () -> Never) -> Never {
        state.withLock { _ in body() }
    }

    /// Signs the log as it stands (local log): the last requests are covered by a
    /// checkpoint that verifiers and the next start see. A shared log's sequencer signs
    /// in its own last round.
    func finalCheckpoint() {
        if case let .local(log) = backend { _ = try? log.checkpoint() }
    }

    var status: LogHealth {
        switch backend {
        case let .local(log): return LogHealth(size: log.size, sequencer: nil, spooled: nil)
        case let .shared(log): return LogHealth(size: log.size, sequencer: log.isSequencer, spooled: log.spooled)
        }
    }

    /// Closes finished days (so a quiet server still publishes yesterday). The shared
    /// log's sequencer does this in every round.
    func closeFinishedDays(now: Date = Date()) {
        guard case let .local(log) = backend else { return }
        state.withLock { appendAggregates(through: UTCDay.number(Int(now.timeIntervalSince1970)) - 1, state: &$0, log: log) }
    }

    /// The days a report covers: `from…to`, by default the 30 days ending with the
    /// last event's day (among the first `size` entries).
    func range(size: Int, from: Int?, to: Int?) -> (first: Int, last: Int) {
        let lastEvent: Int? = state.withLock { s in
            Self.ingest(&s, log: log)
            var n = s.eventIndices.count
            while n > 0 && s.eventIndices[n - 1] >= size { n -= 1 }
            return n > 0 ? UTCDay.number(s.events[n - 1].time) : nil
        }
        let end = to ?? lastEvent ?? UTCDay.number(Int(Date().timeIntervalSince1970))
        return (from ?? (end - 29), end)
    }

    static let cachedReports = 32

    /// The figures over the log's first `size` entries, for days `from…to`
    /// (defaults as in ``range(size:from:to:)``). Callers bound the range.
    func report(size: Int, from: Int?, to: Int?) -> UsageReport {
        let (start, end) = range(size: size, from: from, to: to)
        let key = "\(size):\(start):\(end)"
        // A cached report, or the events already decoded in memory, cut at `size` (no re-reading of the log).
        var events: [UsageEvent] = []
        let hit: UsageReport? = state.withLock { s in
            if let hit = s.cache[key] {
                s.cacheOrder.removeAll { $0 == key }
                s.cacheOrder.append(key)
                return hit
            }
            var n = s.eventIndices.count
            while n > 0 && s.eventIndices[n - 1] >= size { n -= 1 }
            events = Array(s.events.prefix(n))
            return nil
        }
        if let hit { return hit }
        let report = UsageCalculator(events: events).report(from: start, to: end)
        state.withLock { s in
            if s.cache[key] == nil { s.cacheOrder.append(key) }
            s.cache[key] = report
            while s.cacheOrder.count > Self.cachedReports { s.cache[s.cacheOrder.removeFirst()] = nil }
        }
        return report
    }
}
