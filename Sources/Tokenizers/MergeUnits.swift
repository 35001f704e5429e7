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
    /// Units of `▁`-escaped text: a unit starts at each run of `▁` and wherever the kind of
    /// character changes (letters, digits, anything else), and every line break stands
    /// alone — "Ол 1991 жылы." -> "Ол", "▁", "1991", "▁жылы", "." — as SentencePiece's
    /// training splits by Unicode script, so learned pieces are words and word parts rather
    /// than "word." or "word,".
    public func mergeUnits(_ text: String) -> [[UInt8]] {
        let escaped = escape(Array(text.utf8), spacePrefix: addsSpacePrefix)
        var units: [[UInt8]] = []
        var current: [UInt8] = []
        var currentKind = UnitKind.space
        var decoded: [UInt32] = [], starts: [Int] = []
        escaped.withUnsafeBufferPointer { UTF8Util.decode($0, 0..<$0.count, cps: &decoded, starts: &starts) }
        for (k, cp) in decoded.enumerated() {
            let bytes = escaped[starts[k]..<starts[k + 1]]
            let kind = UnitKind(cp)
            let startsUnit: Bool
            switch kind {
            case .lineBreak: startsUnit = true
            case .space: startsUnit = currentKind != .space
            default: startsUnit = currentKind != kind && currentKind != .space || currentKind == .lineBreak
            }
            if startsUnit && !current.isEmpty {
                units.append(current)
                current = []
            }
            current += bytes
            currentKind = kind
        }
        if !current.isEmpty { units.append(current) }
        return units
    }

    public func encodeUnit(_ unit: [UInt8]) -> [Int32] { encodeEscaped(unit) }

    public func vocabularyText(of unit: [UInt8]) -> String { String(decoding: unit, as: UTF8.self) }
}

/// Character classes that bound SentencePiece merge units.
enum UnitKind: Equatable {
    case space, lineBreak, letter, digit, other

    init(_ cp: UInt32) {
        if cp == 0x2581 { self = .space; return }
        if cp == 0x0A || cp == 0x0D { self = .lineBreak; return }
        let flags = CodepointFlags.of(cp)
        if flags.isLetter || flags.raw & CodepointFlags.mark != 0 { self = .letter } else if flags.isNumber { self = .digit } else { self = .other }
    }
}
