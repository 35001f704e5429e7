import AdapterInterop
import ArgumentParser
import Foundation
import GGUF
import ModelStore
import Models

extension MergeType: ExpressibleByArgument {}

/// `aqyl merge`: bakes LoRA adapters into a model file that any GGUF reader
/// runs without adapter support.
struct MergeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge", abstract: "Merge LoRA adapters into a model: W + Σ scale·B·A, written as a new GGUF.")

    @OptionGroup var base: AdapterCommand.BaseModel

    @Option(name: .long, help: ArgumentHelp("A GGUF adapter, optionally with a scale (repeatable).", valueName: "ADAPTER[:SCALE]"))
    var lora: [String] = []

    @Option(name: .shortAndLong, help: "The merged GGUF file to write.")
    var out: String

    @Option(help: "Type of the merged matrices: keep (the base type, re-quantized), f32, f16 or q8_0. Other tensors are copied as they are.")
    var type: MergeType = .keep

    func validate() throws {
        guard !lora.isEmpty else { throw ValidationError("give at least one --lora ADAPTER[:SCALE]") }
    }

    func run() async throws {
        let model = try await base.open()
        var adapters: [(adapter: LoRAAdapter, scale: Float)] = []
        for text in lora {
            let spec = try AdapterSpec(parsing: text)
            adapters.append((try LoRAAdapter(path: spec.path), spec.scale))
        }
        if let path = model.path, URL(fileURLWithPath: path).standardizedFileURL == URL(fileURLWithPath: out).standardizedFileURL {
            throw CLIError("--out is the model file itself; write the merged model to a new file")
        }
        let start = Date()
        let merged = try ModelMerger.merge(model: model, adapters: adapters, type: type, to: out)
        printErr("wrote \(out): \(merged.count) matrices merged (\(type.rawValue)), \(model.tensors.count - merged.count) copied, "
            + String(format: "%.1f s", Date().timeIntervalSince(start)))
    }
}
