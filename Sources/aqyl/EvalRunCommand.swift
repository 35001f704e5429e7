import ArgumentParser
import Evaluation
import Foundation

/// `aqyl eval run`: tasks on one model, local or remote.
struct EvalRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run evaluation tasks (JSONL, KazMMLU CSV, Belebele) on a local model or an endpoint.")

    @Option(name: .shortAndLong, help: "A model short name, hub reference (hf:ORG/REPO[:QUANT]) or GGUF path (or use --endpoint).")
    var model: String?

    @Option(name: .customLong("lora"), help: ArgumentHelp("LoRA adapter for --model (repeatable).", valueName: "PATH[:SCALE]"))
    var lora: [String] = []

    @Option(help: "An OpenAI-compatible server, e.g. http://localhost:8080/v1.")
    var endpoint: String?

    @Option(help: "The model id at --endpoint (default: the first it lists).")
    var endpointModel: String?

    @Option(help: "API key for --endpoint (default: $OPENAI_API_KEY).")
    var apiKey: String?

    @Option(help: "A task file (.jsonl, .csv) or a directory of them.")
    var tasks: String

    @OptionGroup var options: EvalRunOptions

    @Option(help: "Prompt template id for multiple-choice tasks.")
    var template: PromptTemplate?

    @Flag(help: "Stop at the first malformed task line instead of skipping it.")
    var strict = false

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Flag(help: "Print the report as Markdown (the default).")
    var md = false

    @Option(help: "Also write the JSON report (with per-item samples) to this file.")
    var out: String?

    func validate() throws {
        guard (model == nil) != (endpoint == nil) else { throw ValidationError("give exactly one of --model and --endpoint") }
        guard lora.isEmpty || model != nil else { throw ValidationError("--lora needs --model") }
        guard !(json && md) else { throw ValidationError("choose one of --json and --md") }
    }

    func run() async throws {
        do {
            let (tasks, warnings) = try EvalBackends.tasks(self.tasks, strict: strict, template: template, limit: options.limit)
            let backend: any ScoringBackend = if let model {
                try await EvalBackends.local(model: model, lora: lora, threads: options.threads, context: options.ctx,
                                             numerics: options.numerics)
            } else {
                try await EvalBackends.endpoint(url: endpoint ?? "", model: endpointModel, apiKey: apiKey, context: options.ctx)
            }
            var report = try await EvalBackends.run(tasks, on: backend, shots: options.shots ?? 0, warnings: warnings)
            if let out {
                try Data(try ReportFormatter.json(report).utf8).write(to: URL(fileURLWithPath: out))
                printErr("wrote \(out)")
            }
            for i in report.results.indices { report.results[i].samples = [] }
            print(json ? try ReportFormatter.json(report) : ReportFormatter.markdown(report))
        } catch let error as EvaluationError {
            throw CLIError("\(error)")
        }
    }
}
