/// A language label of the corpus tools.
///
/// `other` is everything that is neither Kazakh, Russian nor English (Latin-script Turkish or German, numbers,
/// symbol lines, other scripts); `mixed` is a line that switches between two of kk/ru/en.
public enum Language: String, Codable, Sendable, CaseIterable {
    case kk, ru, en, other, mixed
}

/// The identifier's answer for one text.
public struct LanguageGuess: Sendable, Equatable {
    /// The best label; `.mixed` for kk/ru (or kk/en, ru/en) code-switching.
    public var language: Language
    /// Probabilities of kk, ru, en and other, summing to 1 (`mixed` has no score of its own).
    public var scores: [Language: Double]
    /// The score of the chosen label; for `.mixed` the sum of the two mixed languages.
    public var confidence: Double

    public init(language: Language, scores: [Language: Double], confidence: Double) {
        self.language = language
        self.scores = scores
        self.confidence = confidence
    }
}
