/// A document the cleaner kept.
public struct CleanedDocument: Sendable, Equatable {
    public var id: String
    /// Normalized, homoglyph-repaired text.
    public var text: String
    public var language: Language
    /// The identifier's confidence in `language`.
    public var languageConfidence: Double
    public var languageScores: [Language: Double]
    /// Latin look-alikes replaced inside Cyrillic words.
    public var homoglyphReplacements: Int

    public init(id: String, text: String, language: Language, languageConfidence: Double,
                languageScores: [Language: Double], homoglyphReplacements: Int) {
        self.id = id
        self.text = text
        self.language = language
        self.languageConfidence = languageConfidence
        self.languageScores = languageScores
        self.homoglyphReplacements = homoglyphReplacements
    }

    /// The JSONL output line: `{"id", "text", "lang", "lang_score"}`.
    public var record: Record { Record(id: id, text: text, lang: language.rawValue, langScore: languageConfidence) }

    public struct Record: Codable, Sendable, Equatable {
        public var id: String
        public var text: String
        public var lang: String
        public var langScore: Double

        private enum CodingKeys: String, CodingKey {
            case id, text, lang
            case langScore = "lang_score"
        }
    }
}
