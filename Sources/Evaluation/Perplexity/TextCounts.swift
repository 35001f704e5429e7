/// The denominators that make a likelihood comparable across tokenizers.
public struct TextCounts: Sendable, Equatable, Codable {
    public var bytes: Int
    /// Unicode scalars (Python's `len`), as lm-eval and llama.cpp count characters.
    public var characters: Int
    /// Whitespace-separated words (lm-eval's `word_perplexity` splits on `\s+`).
    public var words: Int

    public init(bytes: Int, characters: Int, words: Int) {
        self.bytes = bytes
        self.characters = characters
        self.words = words
    }

    public init(_ text: String) {
        bytes = text.utf8.count
        characters = text.unicodeScalars.count
        words = text.split(whereSeparator: { $0.isWhitespace }).count
    }

    public static func + (a: TextCounts, b: TextCounts) -> TextCounts {
        TextCounts(bytes: a.bytes + b.bytes, characters: a.characters + b.characters, words: a.words + b.words)
    }
}
