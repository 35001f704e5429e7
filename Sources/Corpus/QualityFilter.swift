/// Length, character-class and repetition checks on a normalized text.
///
/// Ratios are shares of the non-whitespace characters (Unicode scalars): "symbols" are everything
/// that is not a letter, mark or digit (punctuation included); digits are decimal and other numbers.
/// Repeated lines: among the non-empty lines, the share that repeat an earlier line (trimmed,
/// lowercased); only documents of at least `minLinesForRepetition` lines are checked.
public struct QualityFilter: Sendable, Equatable {
    /// Fewer characters (Unicode scalars, as Python's `len`) than this: `tooShort`.
    public var minChars: Int
    /// More characters than this: `tooLong`; nil for no limit.
    public var maxChars: Int?
    /// Symbol share above this: `symbolRatio`.
    public var maxSymbolRatio: Double
    /// Digit share above this: `digitRatio`.
    public var maxDigitRatio: Double
    /// Repeated-line share above this: `repeatedLines`.
    public var maxRepeatedLineRatio: Double
    public var minLinesForRepetition: Int

    public init(minChars: Int = 20, maxChars: Int? = nil, maxSymbolRatio: Double = 0.3, maxDigitRatio: Double = 0.3,
                maxRepeatedLineRatio: Double = 0.3, minLinesForRepetition: Int = 3) {
        self.minChars = minChars
        self.maxChars = maxChars
        self.maxSymbolRatio = maxSymbolRatio
        self.maxDigitRatio = maxDigitRatio
        self.maxRepeatedLineRatio = maxRepeatedLineRatio
        self.minLinesForRepetition = minLinesForRepetition
    }

    /// Character-class counts of a text.
    public struct Profile: Sendable, Equatable {
        public var characters = 0
        public var nonSpace = 0
        public var letters = 0
        public var digits = 0
        public var symbols = 0
        public var symbolRatio: Double { nonSpace == 0 ? 0 : Double(symbols) / Double(nonSpace) }
        public var digitRatio: Double { nonSpace == 0 ? 0 : Double(digits) / Double(nonSpace) }
    }

    public static func profile(_ text: String) -> Profile {
        var p = Profile()
        for s in text.unicodeScalars {
            p.characters += 1
            if s.isASCII {
                let v = s.value
                if v == 0x20 || v == 0x0A || v == 0x09 || v == 0x0D || v == 0x0B || v == 0x0C { continue }
                p.nonSpace += 1
                if v >= 48 && v <= 57 { p.digits += 1 } else if (v >= 65 && v <= 90) || (v >= 97 && v <= 122) { p.letters += 1 } else { p.symbols += 1 }
                continue
            }
            if s.value >= 0x0400 && s.value <= 0x04FF {
                // Cyrillic: letters and combining marks, except the thousands sign U+0482.
                p.nonSpace += 1
                if s.value == 0x0482 { p.symbols += 1 } else { p.letters += 1 }
                continue
            }
            if s.properties.isWhitespace { continue }
            p.nonSpace += 1
            switch s.properties.generalCategory {
            case .decimalNumber, .letterNumber, .otherNumber: p.digits += 1
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                 .nonspacingMark, .spacingMark, .enclosingMark: p.letters += 1
            default: p.symbols += 1
            }
        }
        return p
    }

    /// The share of non-empty lines that repeat an earlier one, and the number of non-empty lines.
    public static func repeatedLineRatio(_ text: String) -> (ratio: Double, lines: Int) {
        var seen = Set<UInt64>()
        var lines = 0, repeats = 0
        for line in text.utf8.split(separator: 0x0A) {
            // The line trimmed and case-folded, hashed (64 bits: a collision only under-counts a repeat).
            var h = StableHash.fnvOffset
            var any = false, pendingSpace = false
            for s in String(decoding: line, as: UTF8.self).unicodeScalars {
                if s == " " || s == "\t" || s.properties.isWhitespace {
                    pendingSpace = any
                    continue
                }
                if pendingSpace { h = StableHash.fnv1a(CollectionOfOne(0x20), seed: h) }
                pendingSpace = false
                any = true
                UTF8.encode(CaseFold.lower(s)) { h = (h ^ UInt64($0)) &* StableHash.fnvPrime }
            }
            if !any { continue }
            lines += 1
            if !seen.insert(h).inserted { repeats += 1 }
        }
        return (lines == 0 ? 0 : Double(repeats) / Double(lines), lines)
    }

    /// The first check a text fails, or nil if it passes.
    public func check(_ text: String) -> DropReason? {
        let p = Self.profile(text)
        if p.characters < minChars { return .tooShort }
        if let maxChars, p.characters > maxChars { return .tooLong }
        if p.symbolRatio > maxSymbolRatio { return .symbolRatio }
        if p.digitRatio > maxDigitRatio { return .digitRatio }
        if text.utf8.count(where: { $0 == 0x0A }) + 1 >= minLinesForRepetition {
            let (ratio, lines) = Self.repeatedLineRatio(text)
            if lines >= minLinesForRepetition, ratio > maxRepeatedLineRatio { return .repeatedLines }
        }
        return nil
    }
}
