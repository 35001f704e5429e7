/// Turns a stream of token ids into text without ever emitting half a character.
///
/// Byte-fallback tokens often carry one byte of a multi-byte character (a Kazakh
/// letter such as `ә` is two bytes and may arrive as two `<0xNN>` tokens), so the
/// bytes of an unfinished UTF-8 sequence at the end are held back until the
/// sequence completes. Bytes that can never become valid UTF-8 are emitted as
/// U+FFFD right away; `flush()` returns whatever is left.
public struct StreamingDecoder: Sendable {
    public let tokenizer: any Tokenizer
    public let special: Bool
    private var pending: [UInt8] = []

    public init(tokenizer: any Tokenizer, special: Bool = false) {
        self.tokenizer = tokenizer
        self.special = special
    }

    /// Adds one token; returns the newly completed text (possibly empty).
    public mutating func append(_ id: Int32) -> String {
        pending += tokenizer.pieceBytes(id, special: special)
        let cut = Self.completePrefixLength(pending)
        if cut == 0 { return "" }
        let text = String(decoding: pending[0..<cut], as: UTF8.self)
        pending.removeFirst(cut)
        return text
    }

    /// Returns the held-back bytes (an incomplete sequence decodes as U+FFFD) and resets.
    public mutating func flush() -> String {
        defer { pending.removeAll() }
        return pending.isEmpty ? "" : String(decoding: pending, as: UTF8.self)
    }

    /// Length of the longest prefix that does not end inside a UTF-8 sequence that
    /// could still be completed by more bytes.
    static func completePrefixLength(_ b: [UInt8]) -> Int {
        let n = b.count
        // Find the last lead byte among the final (up to) 3 bytes.
        var i = n - 1
        let lowest = max(0, n - 3)
        while i >= lowest && b[i] & 0xC0 == 0x80 { i -= 1 }
        guard i >= lowest else { return n }  // only continuation bytes: nothing to wait for
        let lead = b[i]
        let need: Int
        switch lead {
        case 0xC2...0xDF: need = 2
        case 0xE0...0xEF: need = 3
        case 0xF0...0xF4: need = 4
        default: return n  // ASCII or a byte that can never start a sequence
        }
        let have = n - i
        if have >= need { return n }
        // Check the continuation bytes seen so far are valid for this lead (E0/ED/F0/F4 limits).
        if have >= 2 {
            let c = b[i + 1]
            let ok: Bool
            switch lead {
            case 0xE0: ok = c >= 0xA0 && c <= 0xBF
            case 0xED: ok = c >= 0x80 && c <= 0x9F
            case 0xF0: ok = c >= 0x90 && c <= 0xBF
            case 0xF4: ok = c >= 0x80 && c <= 0x8F
            default: ok = true
            }
            if !ok { return n }
        }
        return i
    }
}
