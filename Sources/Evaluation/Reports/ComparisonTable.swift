import Foundation

/// Several models' results side by side, one row per (task, metric). A task
/// enters only if every model measured it under the same protocol: numbers
/// from different protocols never share a row.
public struct ComparisonTable: Sendable, Codable, Equatable {
    public struct Row: Sendable, Codable, Equatable {
        public var task: String
        public var metric: String
        public var evalProtocol: EvalProtocol
        /// One per model, in `models` order; nil where a model lacks the task.
        public var values: [MetricValue?]

        enum CodingKeys: String, CodingKey {
            case task, metric, values
            case evalProtocol = "protocol"
        }
    }

    public var models: [ModelIdentity]
    public var rows: [Row]

    /// - Throws: ``EvaluationError/protocolMismatch(task:first:second:)`` when
    ///   two reports ran one task under different protocols.
    public init(reports: [EvalReport]) throws {
        models = reports.map(\.model)
        var order: [String] = []
        var protocols: [String: EvalProtocol] = [:]
        for report in reports {
            for result in report.results {
                let p = result.evalProtocol
                if let known = protocols[p.task] {
                    guard known == p else {
                        throw EvaluationError.protocolMismatch(task: p.task, first: known.summary, second: p.summary)
                    }
                } else {
                    protocols[p.task] = p
                    order.append(p.task)
                }
            }
        }
        var rows: [Row] = []
        for task in order {
            guard let p = protocols[task] else { continue }
            var metricNames: [String] = []
            for report in reports {
                for m in report.results.first(where: { $0.evalProtocol.task == task })?.metrics ?? [] where !metricNames.contains(m.name) {
                    metricNames.append(m.name)
                }
            }
            for name in metricNames {
                let values = reports.map { report in
                    report.results.first { $0.evalProtocol.task == task }?.metrics.first { $0.name == name }
                }
                rows.append(Row(task: task, metric: name, evalProtocol: p, values: values))
            }
        }
        self.rows = rows
    }

    public var markdown: String {
        var s = "| task | metric | " + models.map(\.label).joined(separator: " | ") + " |\n"
        s += "|---|---|" + models.map { _ in "---:|" }.joined() + "\n"
        for row in rows {
            let cells = row.values.map { v -> String in
                guard let v else { return "—" }
                let (value, error) = ReportFormatter.format(v)
                return "\(value) ± \(error)"
            }
            let unit = ReportFormatter.isFraction(row.metric) ? " %" : ""
            s += "| \(row.task) | \(row.metric)\(unit) | " + cells.joined(separator: " | ") + " |\n"
        }
        s += "\n± is one standard error; 95% intervals are ±1.96 of it.\n\nProtocols (identical for every model in a row):\n"
        var seen = Set<String>()
        for row in rows where seen.insert(row.task).inserted {
            s += "- **\(row.task)**: \(row.evalProtocol.summary); scoring: \(row.evalProtocol.scoring); "
                + "normalization: \(row.evalProtocol.normalization)\n"
        }
        s += "\nModels:\n"
        for m in models {
            s += "- **\(m.label)**: `\(m.model)` (\(m.location))" + (m.adapters.isEmpty ? "" : " + " + m.adapters.joined(separator: ", ")) + "\n"
        }
        return s
    }
}
