import GGUF

/// Builds the tokenizer a GGUF file describes. The family comes from
/// `tokenizer.ggml.model` and, for BPE, the pre-tokenizer from `tokenizer.ggml.pre`;
/// anything we cannot reproduce exactly is an error rather than a silent guess.
public enum TokenizerFactory {
    /// `tokenizer.ggml.model` values we support, and how to build each.
    private static let builders: [String: @Sendable (GGUFFile) throws -> any Tokenizer] = [
        "gpt2": { try BPETokenizer(file: $0, preName: $0.metadata["tokenizer.ggml.pre"]?.string) },
        "llama": { try SentencePieceTokenizer(file: $0) },
    ]

    public static var supportedModels: [String] { builders.keys.sorted() }

    public static func load(from file: GGUFFile) throws -> any Tokenizer {
        guard let model = file.metadata["tokenizer.ggml.model"]?.string else {
            throw TokenizerError.missingVocabulary("tokenizer.ggml.model")
        }
        guard let build = builders[model] else { throw TokenizerError.unknownModel(model) }
        return try build(file)
    }
}
