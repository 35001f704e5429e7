/// What a text costs a tokenizer: words (``WordSplitter``), tokens, and the ratios that compare
/// tokenizers — tokens per word (fertility), characters per token and UTF-8 bytes per token.
/// Characters are Unicode scalars (what Python's `len` counts).
public struct TokenizerCost: Codable, Sendable, Equatable {
    public var words: Int
    public var tokens: Int
    public var characters: Int
    public var bytes: Int

    public init(words: Int = 0, tokens: Int = 0, characters: Int = 0, bytes: Int = 0) {
        self.words = words
        self.tokens = tokens
        self.characters = characters
        self.bytes = bytes
    }

    /// The cost of one text under a token-count function.
    public init(text: String, tokenCount: (String) -> Int) {
        self.init(words: WordSplitter.count(in: text), tokens: tokenCount(text), characters: text.unicodeScalars.count, bytes: text.utf8.count)
    }

    /// Adds another text's cost.
    public mutating func add(_ other: TokenizerCost) {
        words += other.words
        tokens += other.tokens
        characters += other.characters
        bytes += other.bytes
    }

    public var tokensPerWord: Double { words == 0 ? 0 : Double(tokens) / Double(words) }
    public var charsPerToken: Double { tokens == 0 ? 0 : Double(characters) / Double(tokens) }
    public var bytesPerToken: Double { tokens == 0 ? 0 : Double(bytes) / Double(tokens) }

    private enum CodingKeys: String, CodingKey {
        case words, tokens, characters, bytes
        case tokensPerWord = "tokens_per_word", charsPerToken = "chars_per_token", bytesPerToken = "bytes_per_token"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        words = try c.decode(Int.self, forKey: .words)
        tokens = try c.decode(Int.self, forKey: .tokens)
        characters = try c.decode(Int.self, forKey: .characters)
        bytes = try c.decode(Int.self, forKey: .bytes)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(words, forKey: .words)
        try c.encode(tokens, forKey: .tokens)
        try c.encode(characters, forKey: .characters)
        try c.encode(bytes, forKey: .bytes)
        try c.encode(tokensPerWord, forKey: .tokensPerWord)
        try c.encode(charsPerToken, forKey: .charsPerToken)
        try c.encode(bytesPerToken, forKey: .bytesPerToken)
    }
}
