import AdapterInterop
import ArgumentParser
import Foundation
import GGUF
import ModelStore
import Models

/// `aqyl adapter import-peft|export-peft|inspect`: LoRA adapters between
/// PEFT directories and llama.cpp GGUF adapter files.
struct AdapterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adapter", abstract: "Convert LoRA adapters between PEFT and GGUF, and show what an adapter holds.",
        subcommands: [ImportPEFT.self, ExportPEFT.self, Inspect.self])

    /// `--model`, resolved like every other command (a catalog short name, fetched on first use, or a path).
    struct BaseModel: ParsableArguments {
        @Option(name: .shortAndLong, help: "The base model: a short name (see `aqyl models list`) or a GGUF path.")
        var model: String

        func open() async throws -> GGUFFile {
            try await ModelArgument.file(model)
        }
    }

    struct ImportPEFT: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import-peft",
            abstract: "Convert a PEFT LoRA directory (adapter_config.json + adapter_model.safetensors) to a GGUF adapter.")

        @Argument(help: "The PEFT adapter directory.")
        var directory: String

        @OptionGroup var base: BaseModel

        @Option(name: .shortAndLong, help: "The GGUF adapter file to write.")
        var out: String

        @Option(help: "The adapter's name (default: the output file's name).")
        var name: String?

        func run() async throws {
            let model = try await base.open()
            let adapter = try PEFTAdapter.importAdapter(directory: directory, model: model,
                                                        name: name ?? LoRAAdapter.defaultName(path: out))
            try adapter.write(to: out)
            printErr("wrote \(out): \(adapter.pairs.count) matrices, rank \(adapter.rank), alpha \(adapter.alpha), "
                + "targets \(adapter.targets.map(\.rawValue).joined(separator: ","))")
        }
    }

    struct ExportPEFT: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export-peft", abstract: "Write a GGUF adapter as a PEFT LoRA directory.")

        @Argument(help: "The GGUF adapter file.")
        var adapter: String

        @OptionGroup var base: BaseModel

        @Option(name: .shortAndLong, help: "The directory to write (created if missing).")
        var out: String

        @Option(help: "base_model_name_or_path for adapter_config.json, e.g. the model's Hugging Face id (default: the adapter's base model name).")
        var baseModelName: String?

        @Flag(help: "Store the weights as F16 instead of F32.")
        var f16 = false

        func run() async throws {
            let model = try await base.open()
            let lora = try LoRAAdapter(path: adapter)
            try PEFTAdapter.exportAdapter(lora, model: model, to: out, baseModelName: baseModelName, dtype: f16 ? .f16 : .f32)
            printErr("wrote \(out)/\(PEFTAdapter.configFile) and \(PEFTAdapter.weightsFile): \(lora.pairs.count) matrices")
        }
    }

    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "inspect", abstract: "Show a GGUF adapter's name, architecture, alpha, rank, targets and layers.")

        @Argument(help: "The GGUF adapter file.")
        var adapter: String

        func run() throws {
            let a = try LoRAAdapter(path: adapter)
            let ranks = Set(a.pairs.values.map(\.rank)).sorted()
            let layers = Set(a.pairs.keys.compactMap { name -> Int? in
                let parts = name.split(separator: ".")
                return parts.count > 1 && parts[0] == "blk" ? Int(parts[1]) : nil
            }).sorted()
            let parameters = a.pairs.values.reduce(0) { $0 + $1.a.count + $1.b.count }
            print("name: \(a.name)")
            print("architecture: \(a.architecture)")
            print("base model: \(a.baseModelName ?? "unknown")")
            print("alpha: \(a.alpha)")
            print("rank: \(ranks.map(String.init).joined(separator: ", "))")
            print("scale: " + ranks.map { r in
                "\(a.alpha == 0 ? 1 : a.alpha / Float(r))" + (ranks.count > 1 ? " (rank \(r))" : "")
            }.joined(separator: ", ") + " (at user scale 1)")
            print("targets: \(a.targets.map(\.rawValue).joined(separator: ","))")
            print("layers: \(Self.ranges(layers)) (\(layers.count))")
            print("matrices: \(a.pairs.count), parameters: \(parameters)")
        }

        /// `0-5,7,9-11`.
        static func ranges(_ xs: [Int]) -> String {
            var parts: [String] = []
            var i = 0
            while i < xs.count {
                var j = i
                while j + 1 < xs.count && xs[j + 1] == xs[j] + 1 { j += 1 }
                parts.append(i == j ? "\(xs[i])" : "\(xs[i])-\(xs[j])")
                i = j + 1
            }
            return parts.isEmpty ? "none" : parts.joined(separator: ",")
        }
    }
}
