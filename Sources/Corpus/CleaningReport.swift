import Foundation

/// What a cleaning run did: counts in and out, drops by reason, the language mix and, when a
/// tokenizer was given, what the kept text costs it. Encoded with snake_case keys.
public struct CleaningReport: Codable, Sendable, Equatable {
    public var inputDocuments = 0
    public var inputCharacters = 0
    public var keptDocuments = 0
    public var keptCharacters = 0
    /// Dropped documents by ``DropReason`` raw value (every reason present, zeros included).
    public var dropped: [String: Int] = Dictionary(uniqueKeysWithValues: DropReason.allCases.map { ($0.rawValue, 0) })
    /// Language labels of the kept documents.
    public var languagesKept: [String: Int] = [:]
    /// Language labels of all input documents (identified after normalization and repair, before any filter).
    public var languagesAll: [String: Int] = [:]
    /// Homoglyph replacements over all input documents, and over the kept ones.
    public var homoglyphReplacements = 0
    public var homoglyphReplacementsKept = 0
    public var documentsWithHomoglyphs = 0
    /// Input records the reader skipped (bad JSON lines and the like); not counted as documents.
    public var skippedRecords = 0
    /// The tokenizer's name and the cost of the kept text, when a tokenizer was given.
    public var tokenizer: String?
    public var tokenCost: TokenizerCost?

    public init() {}

    public var droppedDocuments: Int { dropped.values.reduce(0, +) }
    public func dropped(_ reason: DropReason) -> Int { dropped[reason.rawValue] ?? 0 }
    public func kept(_ language: Language) -> Int { languagesKept[language.rawValue] ?? 0 }
    public func all(_ language: Language) -> Int { languagesAll[language.rawValue] ?? 0 }

    private enum CodingKeys: String, CodingKey {
        case inputDocuments = "input_documents", inputCharacters = "input_characters"
        case keptDocuments = "kept_documents", keptCharacters = "kept_characters"
        case dropped, languagesKept = "languages_kept", languagesAll = "languages_all"
        case homoglyphReplacements = "homoglyph_replacements", homoglyphReplacementsKept = "homoglyph_replacements_kept"
        case documentsWithHomoglyphs = "documents_with_homoglyphs", skippedRecords = "skipped_records"
        case tokenizer, tokenCost = "token_cost"
    }

    /// Pretty, key-sorted JSON.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// A plain-text table for the terminal.
    public func table() -> String {
        func pct(_ n: Int, _ of: Int) -> String { of == 0 ? "-" : String(format: "%.1f%%", 100 * Double(n) / Double(of)) }
        var lines: [String] = []
        lines.append("documents   in \(inputDocuments)   kept \(keptDocuments) (\(pct(keptDocuments, inputDocuments)))   dropped \(droppedDocuments)")
        lines.append("characters  in \(inputCharacters)   kept \(keptCharacters) (\(pct(keptCharacters, inputCharacters)))")
        if skippedRecords > 0 { lines.append("skipped input records: \(skippedRecords)") }
        lines.append("")
        lines.append("dropped by reason")
        for reason in DropReason.allCases {
            let n = dropped(reason)
            lines.append("  " + reason.rawValue.padding(toLength: 16, withPad: " ", startingAt: 0)
                         + String(n).leftPadded(7) + "  " + pct(n, inputDocuments).leftPadded(6))
        }
        lines.append("")
        lines.append("language    " + "all".leftPadded(7) + "   " + "kept".leftPadded(7) + "  share of kept")
        for lang in Language.allCases {
            let a = all(lang), k = kept(lang)
            lines.append("  " + lang.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0) + String(a).leftPadded(7)
                         + "   " + String(k).leftPadded(7) + "  " + pct(k, keptDocuments).leftPadded(6))
        }
        lines.append("")
        lines.append("homoglyph replacements: \(homoglyphReplacements) in \(documentsWithHomoglyphs) documents (\(homoglyphReplacementsKept) in kept)")
        if let tokenizer, let c = tokenCost {
            lines.append("")
            lines.append("tokenizer \(tokenizer) on the kept text: \(c.words) words, \(c.tokens) tokens, "
                         + String(format: "%.3f tokens/word, %.2f chars/token, %.2f bytes/token", c.tokensPerWord, c.charsPerToken, c.bytesPerToken))
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
