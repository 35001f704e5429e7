import ArgumentParser
import Engine
import Foundation
import Models

/// `--lora PATH[:SCALE]` (repeatable) for commands that run one model.
struct AdapterOptions: ParsableArguments {
    @Option(name: .customLong("lora"), help: ArgumentHelp("LoRA adapter (llama.cpp GGUF) to apply, with an optional scale (repeatable).",
                                                          valueName: "PATH[:SCALE]"))
    var adapters: [String] = []

    /// The adapters stacked for `model`, or nil when none is given.
    /// - Throws: ``CLIError`` for an unreadable file or an adapter made for another model.
    func stack(for model: LoadedModel) throws -> AdapterStack? {
        guard !adapters.isEmpty else { return nil }
        do {
            let loaded = try adapters.map { text -> (adapter: LoRAAdapter, scale: Float) in
                let spec = try AdapterSpec(parsing: text)
                return (try LoRAAdapter(path: spec.path), spec.scale)
            }
            let stack = try AdapterStack(loaded, file: model.file, config: model.config)
            for (a, s) in loaded {
                printErr("applied LoRA '\(a.name)' (rank \(a.rank), alpha \(a.alpha), scale \(s), \(a.pairs.count) matrices)")
            }
            return stack
        } catch {
            throw CLIError("\(error)")
        }
    }
}

/// `serve --lora [NAME=]PATH[:SCALE]`: an adapter served under its own model id.
struct ServedAdapterSpec {
    var id: String
    var spec: AdapterSpec

    init(parsing text: String) throws {
        var rest = text
        var name: String?
        if let eq = text.firstIndex(of: "="), !text[..<eq].contains("/") {
            name = String(text[..<eq])
            rest = String(text[text.index(after: eq)...])
        }
        spec = try AdapterSpec(parsing: rest)
        id = name ?? LoRAAdapter.defaultName(path: spec.path)
        guard !id.isEmpty else { throw CLIError("--lora \(text): empty adapter name") }
    }
}
