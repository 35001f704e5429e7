import Foundation
import Reports
import UsageStats

/// The headline numbers, the charts and the table of days.
extension StatsPageView {
    /// Retention shows the newest cohorts and weeks only; the JSON at `/stats/figures` has them all.
    static let retentionRows = 12, retentionColumns = 13

    /// The published rule for "<5", in the page's language.
    var suppressionText: String {
        Definitions.texts[model.language.rawValue]?["suppression"] ?? Cell.suppressed.description
    }

    /// The last day's numbers, with excluded traffic beside them as the definitions promise.
    var headline: String {
        guard let day = model.report.days.last else { return "" }
        let main: [(String, Cell)] = [(text.dau, day.dau), (text.wau, day.wau), (text.mau, day.mau),
                                      (text.messages, day.userMessages), (text.tokens, day.promptTokens + day.completionTokens)]
        let more: [(String, Cell)] = [(text.newUsers, day.newUsers), (text.returningUsers, day.returningUsers),
                                      (text.conversations, day.conversations)]
        var out = #"<section class="headline" aria-labelledby="headline-title"><div class="card headline-figures">"#
        out += #"<h2 id="headline-title">\#(e(text.fill(text.headline, ["day": day.day])))</h2>"#
        out += figureList(main, className: "figures") + figureList(more, className: "figures minor")
        if day.day == model.today { out += #"<p class="muted small">\#(e(text.todayNote))</p>"# }
        if main.contains(where: { $0.1 == .suppressed }) { out += #"<p class="muted small">\#(e(suppressionText))</p>"# }
        out += "</div>" + excluded + "</section>\n"
        return out
    }

    private func figureList(_ figures: [(String, Cell)], className: String) -> String {
        var out = #"<dl class="\#(className)">"#
        for (label, cell) in figures {
            out += #"<div class="figure"><dt>\#(e(label))</dt><dd>\#(e(text.format(cell)))</dd></div>"#
        }
        return out + "</dl>"
    }

    private var excluded: String {
        let totals = model.report.excludedTotals()
        var out = #"<figure class="card chart-card excluded"><figcaption><h2>\#(e(text.excludedChart))</h2>"#
        out += #"<p class="muted small">\#(e(text.fill(text.rangeSummary, ["from": model.report.from, "to": model.report.to])))</p></figcaption>"#
        if totals.isEmpty { return out + #"<p class="muted">\#(e(text.excludedNone))</p></figure>"# }
        let rows = totals.map { total in
            SVGChart.Row(label: UsageEvent.Exclusion(rawValue: total.reason).map(text.reason) ?? total.reason,
                         value: total.count, text: text.format(total.count))
        }
        return out + SVGChart.horizontalBars(id: "excluded", title: text.excludedChart, rows: rows, width: 280) + "</figure>"
    }

    var charts: String {
        let days = model.report.days
        let labels = days.map { String($0.day.dropFirst(5)) } // MM-DD; the range above gives the year
        func series(_ name: String, _ cell: (DayFigures) -> Cell) -> SVGChart.Series {
            SVGChart.Series(name: name, values: days.map { cell($0).number })
        }
        let users = [series("DAU", \.dau), series("WAU", \.wau), series("MAU", \.mau)]
        let messages = [series(text.messages, \.userMessages)]
        let tokens = [series(text.promptTokens, \.promptTokens), series(text.completionTokens, \.completionTokens)]
        var out = #"<div class="chart-grid">"#
        out += card(title: text.usersChart, legend: [text.dau, text.wau, text.mau],
                    chart: SVGChart.lines(id: "users", title: text.usersChart, labels: labels, series: users,
                                          suppressedBelow: Definitions.suppressionThreshold),
                    suppressed: users.contains { $0.values.contains(nil) })
        out += card(title: text.messagesChart, legend: [],
                    chart: SVGChart.bars(id: "messages", title: text.messagesChart, labels: labels, series: messages,
                                         suppressedText: Cell.suppressed.description),
                    suppressed: messages.contains { $0.values.contains(nil) })
        out += card(title: text.tokensChart, legend: tokens.map(\.name),
                    chart: SVGChart.bars(id: "tokens", title: text.tokensChart, labels: labels, series: tokens,
                                         suppressedText: Cell.suppressed.description),
                    suppressed: tokens.contains { $0.values.contains(nil) })
        out += share(id: "models", title: text.modelsChart, totals: model.report.messageTotals(\.models), name: { $0 })
        out += share(id: "channels", title: text.channelsChart, totals: model.report.messageTotals(\.channels), name: text.channel)
        out += retention
        return out + "</div>\n"
    }

    private func card(title: String, legend: [String], chart: String, suppressed: Bool,
                      notes: [String] = []) -> String {
        var out = #"<figure class="card chart-card"><figcaption><h2>\#(e(title))</h2>"#
        if !legend.isEmpty {
            out += #"<ul class="legend">"#
            for (i, name) in legend.enumerated() { out += #"<li><span class="swatch series-\#(i)"></span>\#(e(name))</li>"# }
            out += "</ul>"
        }
        out += "</figcaption>" + chart
        for note in (suppressed ? [text.suppressedNote] : []) + notes { out += #"<p class="muted small">\#(e(note))</p>"# }
        return out + "</figure>"
    }

    /// Messages per model or channel over the range, as horizontal bars.
    private func share(id: String, title: String, totals: [(name: String, total: RangeTotal)], name: (String) -> String) -> String {
        guard !totals.isEmpty else { return "" }
        let rows = totals.map { SVGChart.Row(label: name($0.name), value: $0.total.value, text: $0.total.text(text)) }
        return card(title: title, legend: [], chart: SVGChart.horizontalBars(id: id, title: title, rows: rows),
                    suppressed: rows.contains { $0.value == nil },
                    notes: totals.contains { $0.total.isLowerBound } ? [text.atLeastNote] : [])
    }

    /// Cohorts by week of first use; a cell is suppressed when it is about fewer than five users.
    private var retention: String {
        let cohorts = model.report.retention.suffix(Self.retentionRows)
        guard !cohorts.isEmpty else { return "" }
        let width = min(cohorts.map(\.active.count).max() ?? 0, Self.retentionColumns)
        let rows = cohorts.map { cohort in
            SVGChart.HeatRow(label: "\(cohort.week) · \(text.format(cohort.users))", cells: cohort.active.map { active in
                guard let size = cohort.users.number, size > 0, let count = active.number else {
                    return SVGChart.HeatCell(text: Cell.suppressed.description, fraction: nil, detail: suppressionText)
                }
                let fraction = Double(count) / Double(size)
                return SVGChart.HeatCell(text: text.format(count), fraction: fraction,
                                         detail: "\(text.format(count)) / \(text.format(size)) (\(Int((fraction * 100).rounded()))%)")
            })
        }
        let chart = SVGChart.heatmap(id: "retention", title: text.retentionChart, columns: (0..<width).map(String.init), rows: rows)
        let anySuppressed = rows.contains { $0.cells.contains { $0.fraction == nil } }
        return card(title: text.retentionChart, legend: [], chart: chart,
                    suppressed: false, notes: [text.retentionNote] + (anySuppressed ? [suppressionText] : []))
    }

    /// Every day's numbers, newest first, for readers who want them exact (and screen readers).
    var dailyTable: String {
        let columns = [text.day, "DAU", "WAU", "MAU", text.newUsers, text.returningUsers, text.conversations, text.messages, text.tokens]
        var out = #"<details class="card days"><summary>\#(e(text.dataTable))</summary><div class="table-wrap"><table><thead><tr>"#
        out += columns.map { "<th scope=\"col\">\(e($0))</th>" }.joined() + "</tr></thead><tbody>"
        for day in model.report.days.reversed() {
            let cells = [day.dau, day.wau, day.mau, day.newUsers, day.returningUsers, day.conversations, day.userMessages,
                         day.promptTokens + day.completionTokens]
            out += #"<tr><th scope="row">\#(e(day.day))</th>"# + cells.map { "<td>\(e(text.format($0)))</td>" }.joined() + "</tr>"
        }
        return out + "</tbody></table></div></details>\n"
    }
}
