/// GGUF token types (`tokenizer.ggml.token_type`, llama.h `llama_token_type`).
public enum TokenType: Int32, Sendable {
    case undefined = 0, normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6
}

/// A text <-> token id mapping that reproduces llama.cpp token for token.
public protocol Tokenizer: Sendable {
    var vocabularySize: Int { get }
    var bosID: Int32? { get }
    var eosID: Int32? { get }
    /// End-of-generation ids: eos, eot, eom plus tokens whose text is <|eot_id|>,
    /// <|im_end|>, <end_of_turn>, <|endoftext|> ... (as llama.cpp's vocab load does).
    var endOfGenerationIDs: Set<Int32> { get }
    /// Whether encode(addSpecial: true) prepends BOS / appends EOS.
    var addsBOS: Bool { get }
    var addsEOS: Bool { get }
    /// llama.cpp `llama_tokenize(text, add_special, parse_special)`.
    func encode(_ text: String, addSpecial: Bool, parseSpecial: Bool) -> [Int32]
    /// As `encode(parseSpecial: true)`, except that within the `literal` byte ranges
    /// (sorted, disjoint) control and unknown tokens' text stays text, as with
    /// `parseSpecial: false` (user-defined tokens still match): how a chat prompt keeps its
    /// template's markers as control tokens while message contents are plain text.
    func encode(_ text: String, addSpecial: Bool, literal: [Range<Int>]) -> [Int32]
    /// The byte ranges of `text` that `encode(parseSpecial: true)` would turn into
    /// special tokens (control, user-defined and unknown tokens' texts).
    func specialTokenRanges(in text: String) -> [Range<Int>]
    /// The raw bytes one token contributes to output text (`llama_token_to_piece`
    /// with `special`); control and unknown tokens give [] unless `special`.
    func pieceBytes(_ id: Int32, special: Bool) -> [UInt8]
    /// The vocabulary string of a token.
    func tokenText(_ id: Int32) -> String?
    /// The id of a vocabulary string (exact bytes, not canonical equivalence).
    func tokenID(_ text: String) -> Int32?
    func tokenType(_ id: Int32) -> TokenType
}

extension Tokenizer {
    /// Concatenates the pieces' bytes and decodes them as UTF-8; bytes that do not
    /// form valid UTF-8 become U+FFFD.
    public func decode(_ ids: [Int32], special: Bool = false) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ids.count * 4)
        for id in ids { bytes += pieceBytes(id, special: special) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
