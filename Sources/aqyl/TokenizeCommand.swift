import ArgumentParser
import Engine
import Foundation
import GGUF
import ModelStore
import Tokenizers

/// `aqyl tokenize`: token ids of a text, as llama.cpp's `llama_tokenize(special=false)` gives them.
struct TokenizeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize", abstract: "Print the token ids of a text (special-token text is not parsed).")

    @Option(name: .shortAndLong, help: "A model short name, a hub reference (hf:ORG/REPO[:QUANT]) or a GGUF path.")
    var model: String = ModelCatalog.defaultModel

    @Option(help: "The text to tokenize.")
    var text: String

    @Flag(help: "Add BOS (and EOS) as the vocabulary asks.")
    var bos = false

    @Flag(help: "Print a JSON array.")
    var json = false

    @Flag(help: "Also print each token's text.")
    var pieces = false

    func run() async throws {
        // Only the vocabulary is needed: no weights are touched.
        let tokenizer = try TokenizerFactory.load(from: try await ModelArgument.file(model))
        let ids = tokenizer.encode(text, addSpecial: bos, parseSpecial: false)
        if json {
            print("[" + ids.map(String.init).joined(separator: ", ") + "]")
        } else if pieces {
            for id in ids {
                let piece = String(decoding: tokenizer.pieceBytes(id, special: true), as: UTF8.self)
                print("\(id)\t\(piece.debugDescription)")
            }
        } else {
            print(ids.map(String.init).joined(separator: " "))
        }
    }
}
