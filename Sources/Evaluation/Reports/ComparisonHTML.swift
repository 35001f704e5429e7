import Reports
import Foundation

/// A self-contained HTML page: the comparison table and, per (task, metric),
/// a horizontal bar chart with 95% interval whiskers (inline SVG, no scripts).
public enum ComparisonHTML {
    static let colors = ["#2b6cb0", "#c05621", "#2f855a", "#6b46c1", "#b83280", "#2c7a7b", "#975a16", "#4a5568"]

    public static func render(_ table: ComparisonTable, title: String = "Aqyl eval compare") -> String {
        var s = """
        <!doctype html>
        <html lang="kk"><head><meta charset="utf-8"><title>\(escape(title))</title>
        <style>
        body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem;color:#1a202c}
        table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #cbd5e0;padding:.3rem .6rem;text-align:right}
        td:first-child,td:nth-child(2),th{text-align:left}.proto{color:#4a5568;font-size:.85rem}
        figure{margin:1.5rem 0}figcaption{font-weight:600}
        </style></head><body>
        <h1>\(escape(title))</h1>
        <p>Each row: one task and metric, measured under one protocol for every model. ± is one standard error; whiskers on the bars are 95% intervals.</p>
        <table><tr><th>task</th><th>metric</th>
        """
        for m in table.models { s += "<th>\(escape(m.label))</th>" }
        s += "</tr>\n"
        for row in table.rows {
            s += "<tr><td>\(escape(row.task))</td><td>\(escape(row.metric))</td>"
            for v in row.values {
                if let v {
                    let (value, error) = ReportFormatter.format(v)
                    s += "<td>\(value) ± \(error)</td>"
                } else {
                    s += "<td>—</td>"
                }
            }
            s += "</tr>\n"
        }
        s += "</table>\n"
        for row in table.rows { s += chart(row, models: table.models) }
        s += "<h2>Protocols</h2><ul class=\"proto\">"
        var seen = Set<String>()
        for row in table.rows where seen.insert(row.task).inserted {
            s += "<li><b>\(escape(row.task))</b>: \(escape(row.evalProtocol.summary)); \(escape(row.evalProtocol.scoring)); "
                + "\(escape(row.evalProtocol.normalization))</li>"
        }
        s += "</ul><h2>Models</h2><ul class=\"proto\">"
        for m in table.models {
            s += "<li><b>\(escape(m.label))</b>: \(escape(m.model)) (\(escape(m.location)))"
                + (m.adapters.isEmpty ? "" : " + \(escape(m.adapters.joined(separator: ", ")))") + "</li>"
        }
        return s + "</ul></body></html>\n"
    }

    static func chart(_ row: ComparisonTable.Row, models: [ModelIdentity]) -> String {
        let present = row.values.compactMap { $0 }
        guard !present.isEmpty else { return "" }
        let fraction = ReportFormatter.isFraction(row.metric)
        let top = fraction ? 1.0 : max(present.map { $0.interval.high }.max() ?? 1, 1e-9) * 1.05
        let labelWidth = 160.0, barWidth = 400.0, rowHeight = 26.0
        let height = rowHeight * Double(models.count) + 24
        var s = "<figure><figcaption>\(escape(row.task)) — \(escape(row.metric))"
            + (row.values.first??.higherIsBetter == false ? " (lower is better)" : "") + "</figcaption>\n"
        s += "<svg width=\"\(Int(labelWidth + barWidth + 90))\" height=\"\(Int(height))\" role=\"img\" "
            + "aria-label=\"\(escape(row.task)) \(escape(row.metric))\">\n"
        for (i, model) in models.enumerated() {
            let y = Double(i) * rowHeight + 4
            s += "<text x=\"0\" y=\"\(y + 15)\" font-size=\"12\">\(escape(model.label))</text>"
            guard let v = row.values[i] else {
                s += "<text x=\"\(labelWidth)\" y=\"\(y + 15)\" font-size=\"12\">not run</text>\n"
                continue
            }
            func x(_ value: Double) -> Double { labelWidth + barWidth * min(max(value / top, 0), 1) }
            let (low, high) = v.interval
            s += "<rect x=\"\(labelWidth)\" y=\"\(y)\" width=\"\(x(v.value) - labelWidth)\" height=\"18\" fill=\"\(colors[i % colors.count])\"/>"
            s += "<line x1=\"\(x(low))\" x2=\"\(x(high))\" y1=\"\(y + 9)\" y2=\"\(y + 9)\" stroke=\"#1a202c\"/>"
            s += "<line x1=\"\(x(low))\" x2=\"\(x(low))\" y1=\"\(y + 4)\" y2=\"\(y + 14)\" stroke=\"#1a202c\"/>"
            s += "<line x1=\"\(x(high))\" x2=\"\(x(high))\" y1=\"\(y + 4)\" y2=\"\(y + 14)\" stroke=\"#1a202c\"/>"
            let (value, _) = ReportFormatter.format(v)
            s += "<text x=\"\(labelWidth + barWidth + 6)\" y=\"\(y + 15)\" font-size=\"12\">\(value)</text>\n"
        }
        return s + "</svg></figure>\n"
    }

    static func escape(_ s: String) -> String { HTMLEscape.escape(s) }
}
