import ArgumentParser
import Foundation
import GGUF
import ModelStore
import Models
import Tokenizers

/// `aqyl inspect`: what is inside a GGUF file.
struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect", abstract: "Show a GGUF file's metadata, tensors, parameter count and tokenizer.")

    @Argument(help: "A model short name, a hub reference (hf:ORG/REPO[:QUANT]) or a GGUF path.")
    var model: String

    @Flag(help: "List every tensor (default: the first 40).")
    var allTensors = false

    func run() async throws {
        let path = try await ModelArgument.path(model, fetch: false)
        let file = try GGUFFile(path: path)
        print("file: \(path)")
        print("GGUF v\(file.version), \(file.fileSize) bytes, alignment \(file.alignment), data at \(file.dataOffset)")
        print("\nmetadata (\(file.metadataKeys.count) keys):")
        for key in file.metadataKeys where key != "tokenizer.chat_template" {
            print("  \(key) = \(file.metadata[key].map { "\($0)" } ?? "")")
        }
        if let t = file.metadata["tokenizer.chat_template"]?.string {
            print("  tokenizer.chat_template = <\(t.count) characters>")
        }
        let params = file.tensors.reduce(0) { $0 + $1.elementCount }
        var byType: [GGMLType: (count: Int, bytes: Int)] = [:]
        for t in file.tensors { byType[t.type, default: (0, 0)].count += 1; byType[t.type, default: (0, 0)].bytes += t.byteCount }
        print("\ntensors: \(file.tensors.count), parameters: \(params) (\(String(format: "%.1f", Double(params) / 1e6))M)")
        for (type, v) in byType.sorted(by: { $0.value.bytes > $1.value.bytes }) {
            print("  \(type): \(v.count) tensors, \(String(format: "%.1f", Double(v.bytes) / 1e6)) MB")
        }
        let shown = allTensors ? file.tensors : Array(file.tensors.prefix(40))
        for t in shown {
            let dims = t.dimensions.map(String.init).joined(separator: " × ")
            print("  \(t.name.padding(toLength: 32, withPad: " ", startingAt: 0)) \(t.type.description.padding(toLength: 6, withPad: " ", startingAt: 0)) [\(dims)]")
        }
        if shown.count < file.tensors.count { print("  ... \(file.tensors.count - shown.count) more (--all-tensors)") }
        print("\nmodel:")
        do {
            let c = try ModelConfig(file: file)
            print("  \(c.architecture.rawValue): \(c.layers) layers, embd \(c.embedding), heads \(c.heads)/\(c.kvHeads) kv, head dim \(c.headDim), ff \(c.feedForward), vocab \(c.vocabulary), context \(c.contextLength)")
            print("  rope base \(c.ropeBase), rms eps \(c.rmsEpsilon)" + (c.slidingWindow > 0 ? ", sliding window \(c.slidingWindow) (base \(c.ropeBaseSliding))" : ""))
        } catch {
            print("  not runnable: \(error)")
        }
        print("\ntokenizer:")
        do {
            let tok = try TokenizerFactory.load(from: file)
            let model = file.metadata["tokenizer.ggml.model"]?.string ?? "?"
            let pre = file.metadata["tokenizer.ggml.pre"]?.string ?? "default"
            print("  \(model) (pre \(pre)), \(tok.vocabularySize) tokens, adds BOS: \(tok.addsBOS), adds EOS: \(tok.addsEOS)")
            let name: (Int32?) -> String = { id in id.map { "\($0) \(tok.tokenText($0)?.debugDescription ?? "")" } ?? "none" }
            print("  bos: \(name(tok.bosID)), eos: \(name(tok.eosID)), end of generation: \(tok.endOfGenerationIDs.sorted())")
        } catch {
            print("  not usable: \(error)")
        }
    }
}
