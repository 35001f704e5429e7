/// What a vocabulary learner needs from a tokenizer family: the units that merges never
/// cross, and the current segmentation of one unit.
///
/// For byte-level BPE the units are the pre-tokenizer's pieces (merges apply within each
/// piece); for SentencePiece they are the `▁`-escaped words, since Kazakh pieces worth
/// learning live inside a word and its leading `▁` (real SentencePiece merging may still
/// join across them where the vocabulary has such pieces, which only helps).
public protocol MergeUnitTokenizer: Tokenizer {
    /// The units of `text` (special-token text is plain text here), as the bytes the
    /// merge step sees: byte-level characters' source bytes for BPE, `▁`-escaped for SPM.
    func mergeUnits(_ text: String) -> [[UInt8]]
    /// Token ids of one unit, exactly as `encode` produces them for that unit.
    func encodeUnit(_ unit: [UInt8]) -> [Int32]
    /// The vocabulary string a unit's bytes become (what a new token covering the whole
    /// unit would be named): byte-level characters for BPE, the bytes themselves for SPM.
    func vocabularyText(of unit: [UInt8]) -> String
}

extension BPETokenizer: MergeUnitTokenizer {
    public func mergeUnits(_ text: String) -> [[UInt8]] {
        let bytes = Array(text.utf8)
        var units: [[UInt8]] = []
        bytes.withUnsafeBufferPointer { p in
            var cps: [UInt32] = [], starts: [Int] = []
            UTF8Util.decode(p, 0..<p.count, cps: &cps, starts: &starts)
            var cpIndex = 0
            for len in preTokenize(cps) {
                units.append(Array(p[starts[cpIndex]..<starts[cpIndex + len]]))
                cpIndex += len
            }
        }
        return units
    }

    public func encodeUnit(_ unit: [UInt8]) -> [Int32] { encodeWord(unit) }

    public func vocabularyText(of unit: [UInt8]) -> String {
        var out: [UInt8] = []
        for b in unit { out += ByteLevel.byteToUTF8[Int(b)] }
        return String(decoding: out, as: UTF8.self)
    }
}

extension SentencePieceTokenizer: MergeUnitTokenizer {
    public func mergeUnits(_ text: String) -> [[UInt8]] {
        let escaped = escape(Array(text.utf8), spacePrefix: addsSpacePrefix)
        // A unit starts at each run of `▁` that follows a non-`▁`, and every line break
        // is a unit of its own: "a▁bc\n▁d" -> "a", "▁bc", "\n", "▁d".
        var units: [[UInt8]] = []
        var current: [UInt8] = []
        var i = 0
        var previousWasSpace = false
        while i < escaped.count {
            let isSpace = i + 2 < escaped.count && escaped[i] == 0xE2 && escaped[i + 1] == 0x96 && escaped[i + 2] == 0x81
            let b = escaped[i]
            if b == 0x0A || b == 0x0D {
                if !current.isEmpty { units.append(current); current = [] }
                units.append([b])
                i += 1
                previousWasSpace = false
                continue
            }
            if isSpace {
                if !previousWasSpace && !current.isEmpty { units.append(current); current = [] }
                current += [0xE2, 0x96, 0x81]
                i += 3
                previousWasSpace = true
                continue
            }
            current.append(b)
            i += 1
            previousWasSpace = false
        }
        if !current.isEmpty { units.append(current) }
        return units
    }

    public func encodeUnit(_ unit: [UInt8]) -> [Int32] { encodeEscaped(unit) }

    public func vocabularyText(of unit: [UInt8]) -> String { String(decoding: unit, as: UTF8.self) }
}
