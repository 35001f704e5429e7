import ArgumentParser
import Engine
import Foundation
import Hummingbird
import ModelStore
import Server

/// `aqyl serve`: the OpenAI-compatible API (web chat and the rest of issue 3 follow).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve models over an OpenAI-compatible HTTP API.")

    @Option(name: .shortAndLong, help: "Model short name or GGUF path (repeatable; default: \(ModelCatalog.defaultModel)).")
    var model: [String] = []

    @Option(help: "Address to bind.")
    var host: String = "127.0.0.1"

    @Option(help: "Port.")
    var port: Int = 8080

    @Option(name: .shortAndLong, help: "Worker threads per model (default: all cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Context length per model (default: min(training context, 4096)).")
    var ctx: Int?

    @Option(help: "Sequences each model generates at once (continuous batching).")
    var parallel: Int = 4

    @Option(help: "Requests that may wait for a free sequence; past this, 503 with Retry-After.")
    var queue: Int = 64

    @Option(help: "Directory for conversations, feedback, API keys and the usage log (default: $AQYL_DATA or ~/.local/share/aqyl).")
    var data: String?

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be 1...65535") }
        guard threads >= 1 else { throw ValidationError("--threads must be ≥ 1") }
        if let ctx, ctx < 16 { throw ValidationError("--ctx must be ≥ 16") }
        guard (1...256).contains(parallel) else { throw ValidationError("--parallel must be 1...256") }
        guard queue >= 0 else { throw ValidationError("--queue must be ≥ 0") }
    }

    func run() async throws {
        let names = model.isEmpty ? [ModelCatalog.defaultModel] : model
        var entries: [ModelEntry] = []
        let cache = ModelCache()
        for name in names {
            let path = try await cache.resolve(name, fetchIfMissing: true) { printErr($0) }
            let id = ModelCatalog.spec(named: name)?.name ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            guard !entries.contains(where: { $0.id == id }) else { throw CLIError("model '\(id)' is given twice") }
            entries.append(ModelEntry(id: id, model: try LoadedModel(path: path)))
            printErr("loaded \(id) from \(path)")
        }
        var config = ServerConfiguration()
        config.host = host
        config.port = port
        config.threads = threads
        config.context = ctx
        config.parallel = parallel
        config.queueLimit = queue
        if let data { config.dataDirectory = URL(fileURLWithPath: data) }
        let served = entries.map(\.id).joined(separator: ", ")
        let app = try buildApplication(configuration: config, models: entries) { url in
            printStreaming("Aqyl is serving \(served) at \(url)  (OpenAI API: \(url)/v1)\n")
        }
        try await app.runService()
    }
}
