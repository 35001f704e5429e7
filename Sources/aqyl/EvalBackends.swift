import Engine
import Evaluation
import Foundation
import ModelStore
import Models

/// Builds evaluation backends from command-line names: a catalog model or GGUF
/// path (with `--lora` files), or an OpenAI-compatible endpoint.
enum EvalBackends {
    static func local(model name: String, lora: [String], threads: Int, context: Int?, label: String? = nil,
                      numerics: NumericsOption = .fast) async throws -> LocalBackend {
        let model = try await ModelArgument.load(name, numerics: numerics)
        var adapterOptions = AdapterOptions()
        adapterOptions.adapters = lora
        let stack = try adapterOptions.stack(for: model)
        return LocalBackend(model: model, adapters: stack, adapterNames: lora, threads: threads, context: context,
                            label: label ?? (lora.isEmpty ? name : name + "+" + lora.map(adapterLabel).joined(separator: "+")))
    }

    static func endpoint(url: String, model: String?, apiKey: String?, context: Int?) async throws -> EndpointBackend {
        try await EndpointBackend.connect(url: url, model: model, apiKey: apiKey ?? ProcessInfo.processInfo.environment["OPENAI_API_KEY"],
                                          context: context)
    }

    /// `dir/kk-adapter.gguf:0.5` → `kk-adapter`.
    static func adapterLabel(_ spec: String) -> String {
        let path = spec.split(separator: ":").first.map(String.init) ?? spec
        return ((path as NSString).lastPathComponent as NSString).deletingPathExtension
    }

    /// Reads `--tasks`, printing skipped lines to stderr.
    static func tasks(_ path: String, strict: Bool, template: PromptTemplate?, limit: Int?) throws -> (tasks: [EvalTask], warnings: [String]) {
        var loader = TaskLoader(strict: strict, template: template)
        let tasks = try loader.load(path: path).map { $0.limited(to: limit) }
        for w in loader.warnings { printErr("warning: \(w)") }
        return (tasks, loader.warnings)
    }

    static func run(_ tasks: [EvalTask], on backend: any ScoringBackend, shots: Int, warnings: [String]) async throws -> EvalReport {
        let runner = TaskRunner(backend: backend, shots: shots, progress: { printErr("  \($0)") })
        var results: [TaskResult] = []
        for task in tasks {
            printErr("\(backend.identity.label): \(task.name) (\(task.kind), \(task.count) items)")
            results.append(try await runner.run(task))
        }
        let stamp = ISO8601DateFormatter().string(from: Date())
        return EvalReport(tool: "aqyl eval", created: stamp, model: backend.identity, results: results, warnings: warnings)
    }
}
