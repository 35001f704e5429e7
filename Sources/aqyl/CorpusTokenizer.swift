import Corpus
import GGUF
import ModelStore
import Tokenizers

/// A model's tokenizer, loaded without its weights, for counting tokens.
struct CorpusTokenizer {
    /// The name or path given on the command line.
    let model: String
    /// The GGUF vocabulary kind and pre-tokenizer, e.g. `gpt2/smollm`.
    let kind: String
    let tokenizer: any Tokenizer

    static func load(_ model: String) async throws -> CorpusTokenizer {
        let file = try await ModelArgument.file(model)
        let tokenizer = try TokenizerFactory.load(from: file)
        let kind = [file.metadata["tokenizer.ggml.model"]?.string, file.metadata["tokenizer.ggml.pre"]?.string]
            .compactMap { $0 }.joined(separator: "/")
        return CorpusTokenizer(model: model, kind: kind, tokenizer: tokenizer)
    }

    /// Tokens of a text: no BOS/EOS, special-token text not parsed.
    func count(_ text: String) -> Int {
        tokenizer.encode(text, addSpecial: false, parseSpecial: false).count
    }
}
