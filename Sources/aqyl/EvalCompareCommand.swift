import ArgumentParser
import Evaluation
import Foundation

/// `aqyl eval compare`: the same tasks on several models, one table.
/// "Did the 5,000 ₸ adapter catch up?"
struct EvalCompareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Run the same tasks on several models (local, local+adapter, remote) and print one side-by-side table.")

    @Option(help: "A YAML config (tasks, shots, limit, models: name/model/lora/endpoint).")
    var config: String?

    @Option(help: "Task file or directory (without --config).")
    var tasks: String?

    @Option(name: .customLong("model"), help: ArgumentHelp("A local model, optionally with adapters (repeatable).",
                                                            valueName: "MODEL[+ADAPTER.gguf[:SCALE]...]"))
    var models: [String] = []

    @Option(name: .customLong("endpoint"), help: ArgumentHelp("An OpenAI-compatible server (repeatable).",
                                                               valueName: "URL[#MODEL]"))
    var endpoints: [String] = []

    @Option(name: .customLong("results"), parsing: .upToNextOption,
            help: "Compare saved reports (`aqyl eval run --out`) instead of running.")
    var results: [String] = []

    @OptionGroup var options: EvalRunOptions

    @Flag(help: "Print JSON instead of Markdown.")
    var json = false

    @Option(help: "Also write an HTML page with bar charts to this file.")
    var html: String?

    func run() async throws {
        do {
            let reports = try await collectReports()
            let table = try ComparisonTable(reports: reports)
            if let html {
                try Data(ComparisonHTML.render(table).utf8).write(to: URL(fileURLWithPath: html))
                printErr("wrote \(html)")
            }
            print(json ? try ReportFormatter.json(table) : table.markdown)
        } catch let error as EvaluationError {
            throw CLIError("\(error)")
        }
    }

    func collectReports() async throws -> [EvalReport] {
        if !results.isEmpty {
            guard config == nil, models.isEmpty, endpoints.isEmpty else {
                throw CLIError("--results compares saved reports; do not combine it with --config, --model or --endpoint")
            }
            return try results.map { path in
                guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("\(path): cannot read the file") }
                do {
                    return try JSONDecoder().decode(EvalReport.self, from: data)
                } catch {
                    throw CLIError("\(path): not an `aqyl eval run --out` report (\(error))")
                }
            }
        }
        var entries: [CompareConfig.Entry] = []
        var taskPath = tasks
        var shots = options.shots, limit = options.limit, ctx = options.ctx
        if let config {
            let c = try CompareConfig.load(path: config)
            entries = c.models
            taskPath = taskPath ?? c.tasks
            shots = shots ?? c.shots
            limit = limit ?? c.limit
            ctx = ctx ?? c.context
        }
        for m in models {
            let parts = m.split(separator: "+").map(String.init)
            guard let name = parts.first, !name.isEmpty else { throw CLIError("--model '\(m)': empty model name") }
            entries.append(.init(model: name, lora: Array(parts.dropFirst())))
        }
        for e in endpoints {
            let parts = e.split(separator: "#", maxSplits: 1).map(String.init)
            entries.append(.init(endpoint: parts[0], endpointModel: parts.count > 1 ? parts[1] : nil))
        }
        guard entries.count >= 1 else { throw CLIError("nothing to compare: give --config, --model/--endpoint, or --results") }
        guard let taskPath else { throw CLIError("give --tasks (or 'tasks:' in the config)") }
        let (tasks, warnings) = try EvalBackends.tasks(taskPath, strict: false, template: nil, limit: limit)
        var reports: [EvalReport] = []
        for entry in entries {
            let backend: any ScoringBackend
            if let model = entry.model {
                backend = try await EvalBackends.local(model: model, lora: entry.lora ?? [], threads: options.threads, context: ctx,
                                                       label: entry.name, numerics: options.numerics)
            } else {
                let key = entry.apiKeyEnv.flatMap { ProcessInfo.processInfo.environment[$0] }
                backend = try await EvalBackends.endpoint(url: entry.endpoint ?? "", model: entry.endpointModel, apiKey: key,
                                                          context: ctx)
            }
            var report = try await EvalBackends.run(tasks, on: backend, shots: shots ?? 0, warnings: warnings)
            if let name = entry.name { report.model.label = name }
            reports.append(report)
        }
        return reports
    }
}
