import ArgumentParser
import Engine
import Foundation
import ModelStore

/// `--model` and `--threads`, shared by every command that runs a model.
struct ModelOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "A model short name (see `aqyl models list --available`), a hub reference (hf:ORG/REPO[:QUANT]) or a GGUF path.")
    var model: String = ModelCatalog.defaultModel

    @Option(name: .shortAndLong, help: "Worker threads (default: all cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: NumericsOption.help)
    var numerics: NumericsOption = .fast

    func validate() throws {
        guard threads >= 1, threads <= 256 else { throw ValidationError("--threads must be between 1 and 256") }
    }

    /// Resolves the name (fetching a catalog model on first use) and loads it.
    func load() async throws -> LoadedModel {
        try await ModelArgument.load(model, numerics: numerics)
    }
}
