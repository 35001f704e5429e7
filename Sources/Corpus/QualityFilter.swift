/// Length, character-class and repetition checks on a normalized text.
///
/// Ratios are shares of the non-whitespace characters (Unicode scalars): "symbols" are everything
/// that is not a letter, mark or digit (punctuation included); digits are decimal and other numbers.
/// Repeated lines: among the non-empty lines, the share that repeat an earlier line (trimmed,
/// lowercased); only documents of at least `minLinesForRepetition` lines are checked.
public struct QualityFilter: Sendable, Equatable {
    /// Fewer characters (Swift `Character`s) than this: `tooShort`.
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
        p.characters = text.count
        for s in text.unicodeScalars {
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
        var seen = Set<String>()
        var lines = 0, repeats = 0
        for line in text.split(separator: "\n") {
            let key = String(line).trimmingSpaces.lowercased()
            if key.isEmpty { continue }
            lines += 1
            if !seen.insert(key).inserted { repeats += 1 }
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
        let (ratio, lines) = Self.repeatedLineRatio(text)
        if lines >= minLinesForRepetition, ratio > maxRepeatedLineRatio { return .repeatedLines }
        return nil
    }
}
