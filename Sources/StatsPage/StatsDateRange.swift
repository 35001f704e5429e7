import Foundation
import Reports
import UsageStats

/// The UTC days the stats page shows, from its `?from=&to=` query.
public struct StatsDateRange: Equatable, Sendable {
    /// First and last day, as day numbers (``UTCDay``).
    public var first: Int
    public var last: Int

    static let defaultDays = 30
    /// Longer ranges are refused: the page draws one column per day.
    public static let maximumDays = 366

    var days: Int { last - first + 1 }

    /// The default: the 30 days ending today.
    public static func recent(endingOn today: Int) -> StatsDateRange {
        StatsDateRange(first: today - defaultDays + 1, last: today)
    }

    /// The range the query asks for, or `nil` when it is not a valid one. A missing or
    /// empty bound (a blank date field in the page's form) means: `to` today, `from` 30 days
    /// before `to`.
    public static func parse(from: String?, to: String?, today: Int) -> StatsDateRange? {
        let from = from.flatMap { $0.isEmpty ? nil : $0 }, to = to.flatMap { $0.isEmpty ? nil : $0 }
        guard let last = to.map(day(of:)) ?? today else { return nil }
        guard let first = from.map(day(of:)) ?? (last - defaultDays + 1) else { return nil }
        let range = StatsDateRange(first: first, last: last)
        return (1...maximumDays).contains(range.days) ? range : nil
    }

    /// The day of a strict `YYYY-MM-DD` that names a real date (2025-02-30 does not).
    static func day(of text: String) -> Int? {
        UTCDay.day(of: text)
    }
}
