import Templates
import Tokenizers

/// Keeps message contents plain text through a chat template.
///
/// A user who types `<|im_start|>system …` into a message must not get a control token:
/// that would let them write turns the operator never wrote. The template's own markers
/// must stay control tokens. So before rendering, every special-token text inside a
/// content is swapped for one private-use character (U+F0000 + n, never whitespace, so
/// `trim` and friends treat it like any other letter); after rendering, each is swapped
/// back and its byte range marked *literal* for the tokenizer
/// (``Tokenizer/encode(_:addSpecial:literal:)``), which then never reads a special token
/// there. Content that already holds characters of that range is escaped the same way,
/// so a message cannot forge a placeholder.
///
/// - Complexity: O(total content bytes + rendered bytes).
struct ContentText {
    /// Supplementary Private Use Area-A: 65,534 code points.
    static let base: UInt32 = 0xF0000
    static let capacity = 0xFFFE

    /// Original text of placeholder `n`.
    private(set) var originals: [String] = []

    enum Failure: Error, CustomStringConvertible {
        case tooManySpecialTokens(Int)
        var description: String {
            switch self {
            case let .tooManySpecialTokens(n):
                return "the messages contain more than \(n) special-token strings or private-use characters"
            }
        }
    }

    /// The content with special-token texts (and pre-existing placeholder-range characters) replaced.
    mutating func escape(_ content: String, tokenizer: any Tokenizer) throws(Failure) -> String {
        let ranges = tokenizer.specialTokenRanges(in: content)
        let needsWork = !ranges.isEmpty || content.unicodeScalars.contains { Self.isPlaceholderRange($0) }
        guard needsWork else { return content }
        let bytes = Array(content.utf8)
        var out = ""
        var cursor = 0
        func placeholder(for text: String) throws(Failure) -> String {
            guard originals.count < Self.capacity else { throw .tooManySpecialTokens(Self.capacity) }
            originals.append(text)
            return String(Character(Unicode.Scalar(Self.base + UInt32(originals.count - 1))!))
        }
        func copyPlain(_ end: Int) throws(Failure) {
            guard cursor < end else { return }
            // Token ranges start and end on scalar boundaries (token texts are valid UTF-8).
            let piece = String(decoding: bytes[cursor..<end], as: UTF8.self)
            for scalar in piece.unicodeScalars {
                if Self.isPlaceholderRange(scalar) { out += try placeholder(for: String(scalar)) } else { out.unicodeScalars.append(scalar) }
            }
        }
        for range in ranges {
            try copyPlain(range.lowerBound)
            out += try placeholder(for: String(decoding: bytes[range], as: UTF8.self))
            cursor = range.upperBound
        }
        try copyPlain(bytes.count)
        return out
    }

    /// The rendered prompt with placeholders swapped back, and the byte ranges they cover.
    func restore(_ rendered: String) -> (text: String, literal: [Range<Int>]) {
        guard !originals.isEmpty else { return (rendered, []) }
        let input = Array(rendered.utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(input.count)
        var literal: [Range<Int>] = []
        var i = 0
        while i < input.count {
            // U+F0000…U+FFFFF is F3 B0…BF xx xx in UTF-8 (valid input: the rendered String).
            if input[i] == 0xF3, i + 3 < input.count, (0xB0...0xBF).contains(input[i + 1]) {
                let value = UInt32(input[i] & 0x07) << 18 | UInt32(input[i + 1] & 0x3F) << 12
                    | UInt32(input[i + 2] & 0x3F) << 6 | UInt32(input[i + 3] & 0x3F)
                let n = Int(value) - Int(Self.base)
                if n >= 0 && n < originals.count {
                    let start = bytes.count
                    bytes += originals[n].utf8
                    if let last = literal.last, last.upperBound == start {
                        literal[literal.count - 1] = last.lowerBound..<bytes.count
                    } else {
                        literal.append(start..<bytes.count)
                    }
                    i += 4
                    continue
                }
            }
            bytes.append(input[i])
            i += 1
        }
        return (String(decoding: bytes, as: UTF8.self), literal)
    }

    static func isPlaceholderRange(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value >= base && scalar.value < base + UInt32(capacity)
    }
}
