import GGUF

/// Why a vocabulary cannot be extended.
public enum VocabExtensionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The tokenizer family has no merge rule Aqyl can extend (e.g. a WordPiece vocabulary).
    case unsupportedTokenizer(String)
    /// `--add` outside 1...maxAdded, or the extended vocabulary would not fit a token id.
    case badCount(Int, reason: String)
    /// `--min-frequency` below 2 (a pair seen once is not a pattern).
    case badMinFrequency(Int)
    /// The model has no `token_embd.weight`, or its rows do not match the vocabulary.
    case missingEmbedding(String)
    /// A vocabulary-sized matrix of a type Aqyl cannot decode or encode.
    case unsupportedMatrixType(tensor: String, type: GGMLType)
    /// The corpus held no text the learner could use.
    case emptyCorpus

    public var description: String {
        switch self {
        case let .unsupportedTokenizer(m): return "cannot extend a '\(m)' vocabulary: only byte-level BPE (gpt2) and SentencePiece (llama) vocabularies can be extended"
        case let .badCount(n, reason): return "cannot add \(n) tokens: \(reason)"
        case let .badMinFrequency(f): return "--min-frequency \(f): must be at least 2"
        case let .missingEmbedding(why): return "cannot grow the embedding: \(why)"
        case let .unsupportedMatrixType(tensor, type): return "\(tensor) is \(type), which Aqyl cannot decode and re-encode; convert the model to f16, q8_0 or a K-quant first"
        case .emptyCorpus: return "the corpus has no text to learn from"
        }
    }
}
