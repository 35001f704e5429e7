import Foundation
import Ledger
import Synchronization
import UsageStats

/// Appends one pseudonymous event per answered (or refused) model request to
/// the transparency log, and the daily aggregates once their UTC day is over.
final class UsageRecorder: Sendable {
    let log: TransparencyLog
    private let pseudonyms: Pseudonymizer
    private let state: Mutex<State>

    private struct State {
        var events: [UsageEvent] = []
        /// The log index of each of `events` (aggregates sit between them), ascending.
        var eventIndices: [Int] = []
        /// Days that already have an aggregate entry.
        var aggregated: Set<Int> = []
        /// Per identity: the minute and how many requests it sent in it.
        var rate: [String: (minute: Int, count: Int)] = [:]
        /// Reports keyed by (log size, from, to): the log's first `size` entries never
        /// change, so a report once computed is immutable. A few, least recently used out.
        var cache: [String: UsageReport] = [:]
        var cacheOrder: [String] = []
    }

    init(directory: URL, origin: String?, report: (String) -> Void) throws {
        log = try TransparencyLog(directory: directory, origin: origin, report: report)
        pseudonyms = try Pseudonymizer.load(directory: directory)
        var s = State()
        for (i, bytes) in log.entries(in: 0..<log.size).enumerated() {
            switch try? LedgerEntry(bytes: bytes) {
            case let .event(e):
                s.events.append(e)
                s.eventIndices.append(i)
            case let .aggregate(a): if let d = UTCDay.day(of: a.figures.day) { s.aggregated.insert(d) }
            case nil: report("ledger: entry \(i) is not a usage entry; it is kept but not counted")
            }
        }
        state = Mutex(s)
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

    func record(_ r: Request, now: Date = Date()) {
        let time = Int(now.timeIntervalSince1970)
        let identity = r.caller.kind == .anonymous ? "" : "\(r.caller.kind.rawValue):\(r.caller.id)"
        let channel: UsageEvent.Channel = r.caller.kind == .web ? .web : .api
        state.withLock { s in
            appendAggregates(through: UTCDay.number(time) - 1, state: &s)
            let minute = time / 60
            var rate = s.rate[identity] ?? (minute, 0)
            if rate.minute != minute { rate = (minute, 0) }
            rate.count += 1
            s.rate[identity] = rate
            if s.rate.count > 100_000 { s.rate = s.rate.filter { $0.value.minute == minute } }

            let excluded: UsageEvent.Exclusion?
            if r.caller.synthetic { excluded = .synthetic }
            else if !r.responded { excluded = .noResponse }
            else if r.caller.kind == .anonymous { excluded = .anonymous }
            else if r.caller.kind == .web && !r.fromWebScript { excluded = .noScript }
            else if rate.count > Definitions.humanRequestsPerMinute { excluded = .inhumanRate }
            else { excluded = nil }
            let event = UsageEvent(
                time: time, user: identity.isEmpty ? "" : pseudonyms.pseudonym(identity), channel: channel, model: r.model,
                conversation: channel == .web ? r.conversation.map { pseudonyms.pseudonym("conversation:\($0)") } : nil,
                promptTokens: r.promptTokens, completionTokens: r.completionTokens, excluded: excluded)
            guard let bytes = try? LedgerEntry.event(event).bytes(), let index = try? log.append(bytes) else { return }
            s.events.append(event)
            s.eventIndices.append(index)
        }
    }

    /// Appends the aggregate of every finished day since the first event that lacks one.
    private func appendAggregates(through lastDay: Int, state s: inout State) {
        guard let first = s.events.first.map({ UTCDay.number($0.time) }), first <= lastDay else { return }
        let calculator = UsageCalculator(events: s.events)
        for day in first...lastDay where !s.aggregated.contains(day) {
            guard let bytes = try? LedgerEntry.aggregate(AggregateRecord(figures: calculator.figures(day: day))).bytes(),
                  (try? log.append(bytes)) != nil else { return }
            s.aggregated.insert(day)
        }
    }

    /// Runs `body` while no event can be appended (so none is half written when it exits the process).
    func pauseAppends(_ body: () -> Never) -> Never {
        state.withLock { _ in body() }
    }

    /// Closes finished days (so a quiet server still publishes yesterday).
    func closeFinishedDays(now: Date = Date()) {
        state.withLock { appendAggregates(through: UTCDay.number(Int(now.timeIntervalSince1970)) - 1, state: &$0) }
    }

    /// The days a report covers: `from…to`, by default the 30 days ending with the
    /// last event's day (among the first `size` entries).
    func range(size: Int, from: Int?, to: Int?) -> (first: Int, last: Int) {
        let lastEvent: Int? = state.withLock { s in
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
        let lookup: Result<UsageReport, Never>?
        var events: [UsageEvent] = []
        lookup = state.withLock { s in
            if let hit = s.cache[key] {
                s.cacheOrder.removeAll { $0 == key }
                s.cacheOrder.append(key)
                return .success(hit)
            }
            var n = s.eventIndices.count
            while n > 0 && s.eventIndices[n - 1] >= size { n -= 1 }
            events = Array(s.events.prefix(n))
            return nil
        }
        if case let .success(hit) = lookup { return hit }
        let report = UsageCalculator(events: events).report(from: start, to: end)
        state.withLock { s in
            if s.cache[key] == nil { s.cacheOrder.append(key) }
            s.cache[key] = report
            while s.cacheOrder.count > Self.cachedReports { s.cache[s.cacheOrder.removeFirst()] = nil }
        }
        return report
    }
}
