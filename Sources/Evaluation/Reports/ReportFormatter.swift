import Foundation

/// Renders reports as JSON, Markdown or plain text.
public enum ReportFormatter {
    public static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Numbers as people read them: fractions as percentages, the rest with 4 significant digits.
    static func format(_ m: MetricValue) -> (value: String, error: String) {
        if isFraction(m.name) {
            return (String(format: "%.1f", m.value * 100), String(format: "%.1f", m.standardError * 100))
        }
        return (String(format: "%.4g", m.value), String(format: "%.2g", m.standardError))
    }

    /// Metrics reported as percentages.
    static func isFraction(_ name: String) -> Bool { name == "acc" || name == "acc_norm" || name == "exact_match" }

    public static func markdown(_ report: EvalReport) -> String {
        var s = "## \(report.model.label)\n\n"
        s += "Model: `\(report.model.model)` (\(report.model.location))"
        if !report.model.adapters.isEmpty { s += ", adapters: " + report.model.adapters.map { "`\($0)`" }.joined(separator: ", ") }
        s += "\n\n| task | metric | value | ± stderr | protocol |\n|---|---|---:|---:|---|\n"
        for r in report.results {
            for m in r.metrics {
                let (v, e) = format(m)
                let unit = isFraction(m.name) ? " %" : ""
                s += "| \(r.evalProtocol.task) | \(m.name)\(unit) | \(v) | \(e) (\(m.standardErrorMethod)) | \(r.evalProtocol.summary) |\n"
            }
        }
        s += "\nProtocols:\n"
        for r in report.results {
            let p = r.evalProtocol
            s += "- **\(p.task)**: \(p.taskType); \(p.items) items (digest \(p.itemsDigest)); \(p.shots)-shot (\(p.fewshotSampling)); "
                + "scoring: \(p.scoring); normalization: \(p.normalization); template `\(p.template)`.\n"
        }
        if !report.warnings.isEmpty {
            s += "\nSkipped lines:\n" + report.warnings.map { "- \($0)" }.joined(separator: "\n") + "\n"
        }
        return s
    }
}
