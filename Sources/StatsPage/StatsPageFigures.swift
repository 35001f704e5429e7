import Foundation
import Reports
import UsageStats

/// A group's figure summed over a range of days, where some days may be suppressed.
///
/// The sum of the published days is a lower bound of the true total, so the page prints
/// "≥ N" when any day was suppressed, and "<5" when every day was.
struct RangeTotal: Equatable, Sendable {
    var published = 0
    var publishedDays = 0
    var suppressedDays = 0

    mutating func add(_ cell: Cell) {
        switch cell {
        case let .value(n): published += n; publishedDays += 1
        case .suppressed: suppressedDays += 1
        }
    }

    /// The bar's length; `nil` (a suppressed stub) when no day was published.
    var value: Int? { publishedDays > 0 ? published : nil }
    var isLowerBound: Bool { publishedDays > 0 && suppressedDays > 0 }

    func text(_ text: StatsPageText) -> String {
        guard publishedDays > 0 else { return Cell.suppressed.description }
        return (isLowerBound ? "≥\u{00A0}" : "") + text.format(published)
    }
}

extension UsageReport {
    /// Whether any event, counted or excluded, fell in the range.
    var hasEvents: Bool { days.contains { !$0.models.isEmpty || !$0.excluded.isEmpty } }

    /// Messages per model (or channel) over the range, largest first, then by name.
    func messageTotals(_ groups: (DayFigures) -> [String: GroupFigures]) -> [(name: String, total: RangeTotal)] {
        var totals: [String: RangeTotal] = [:]
        for day in days {
            for (name, figures) in groups(day) { totals[name, default: RangeTotal()].add(figures.messages) }
        }
        return totals.map { (name: $0.key, total: $0.value) }.sorted {
            ($0.total.published, $1.name) > ($1.total.published, $0.name)
        }
    }

    /// Excluded requests over the range, by reason in ``UsageEvent/Exclusion`` order
    /// (reasons a newer log knows and this server does not go last, by name).
    func excludedTotals() -> [(reason: String, count: Int)] {
        var totals: [String: Int] = [:]
        for day in days { totals.merge(day.excluded, uniquingKeysWith: +) }
        let known = UsageEvent.Exclusion.allCases.map(\.rawValue)
        return totals.filter { $0.value > 0 }.map { (reason: $0.key, count: $0.value) }.sorted {
            let a = known.firstIndex(of: $0.reason) ?? known.count, b = known.firstIndex(of: $1.reason) ?? known.count
            return a != b ? a < b : $0.reason < $1.reason
        }
    }
}

extension Cell {
    /// The sum of two cells about the same group (prompt + response tokens).
    static func + (a: Cell, b: Cell) -> Cell {
        if case let .value(x) = a, case let .value(y) = b { return .value(x + y) }
        return .suppressed
    }

    var number: Int? {
        if case let .value(n) = self { return n }
        return nil
    }
}
