/// Errors raised while building a tokenizer from GGUF metadata. Encoding and
/// decoding never throw: like llama.cpp, they degrade (byte fallback, empty
/// pieces) instead of failing on odd input.
public enum TokenizerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `tokenizer.ggml.model` names a tokenizer family we do not implement.
    case unknownModel(String)
    /// `tokenizer.ggml.pre` names a BPE pre-tokenizer we do not implement.
    case unknownPreTokenizer(String)
    /// A required metadata key (token list, merges) is absent.
    case missingVocabulary(String)
    /// A metadata key is present but malformed (wrong type or length).
    case invalidVocabulary(String)
    /// A token id outside the vocabulary.
    case invalidTokenID(Int32)

    public var description: String {
        switch self {
        case let .unknownModel(m): return "unknown tokenizer model '\(m)'"
        case let .unknownPreTokenizer(p): return "unknown BPE pre-tokenizer '\(p)'"
        case let .missingVocabulary(k): return "missing tokenizer metadata: \(k)"
        case let .invalidVocabulary(why): return "invalid tokenizer metadata: \(why)"
        case let .invalidTokenID(id): return "token id \(id) is outside the vocabulary"
        }
    }
}
