import Foundation

/// kk / ru / en / other identification of a line, with `.mixed` for code-switching.
///
/// Three kinds of evidence are combined: character 1–3-gram naive-Bayes profiles built from the embedded
/// samples (this includes the Kazakh letters ә ғ қ ң ө ұ ү һ і, which the Russian and English profiles never saw),
/// bonuses for very frequent function words, and per-word labels that decide code-switching.
/// See docs/corpus.md, "Language identification".
public struct LanguageIdentifier: Sendable {
    /// Nats added to a language per function word of its list (LanguageWords).
    static let functionWordBonus = 2.5
    /// Softmax temperature on the mean per-n-gram log-likelihood: turns evidence into probabilities that are
    /// neither all 0/1 nor flat.
    static let temperature = 3.0
    /// A Cyrillic word without Kazakh letters gets a kk or ru label only with at least this log-likelihood margin.
    static let wordMargin = 3.0
    /// Code-switching: the second language needs this share of the labelled words, at least `mixedMinWords` of
    /// them, and a run of at least `mixedMinRun` consecutive words (a clause, not one loanword or one name).
    static let mixedMinShare = 0.25
    static let mixedMinWords = 2
    static let mixedMinRun = 2

    private let profile: LanguageProfile

    public init() {
        profile = LanguageProfile.shared
    }

    /// The side of a code-switch a word is on; `nil` for words that say nothing (names, acronyms, close calls).
    private enum Side: Int { case kk = 0, ru = 1, latin = 2 }

    public func identify(_ text: String) -> LanguageGuess {
        var total = SIMD4<Double>.zero
        var grams = 0
        var letters = (latin: 0, cyrillic: 0, other: 0)
        var sides: [Side] = []
        var word: [UInt32] = []
        word.reserveCapacity(64)
        var firstUpper = false, allUpper = true, hasKazakhLetter = false
        var wordLatin = 0, wordCyrillic = 0
        var sentenceStart = true

        func finishWord() {
            defer {
                word.removeAll(keepingCapacity: true)
                firstUpper = false; allUpper = true; hasKazakhLetter = false
                wordLatin = 0; wordCyrillic = 0
            }
            guard !word.isEmpty else { return }
            let initial = sentenceStart
            sentenceStart = false
            var (ll, n) = word.withUnsafeBufferPointer { profile.score(word: $0) }
            ll += functionWordBonus(word)
            total += ll
            grams += n

            // Names and acronyms are no evidence of a code-switch: "Алматы" in a Russian sentence,
            // "Python" or "NASA" in a Kazakh one.
            let isName = firstUpper && !initial && word.count > 1
            let isAcronym = allUpper && word.count > 1 && word.count <= 5
            if isName || isAcronym { return }
            if wordLatin > wordCyrillic {
                sides.append(.latin)
            } else if wordCyrillic > 0 {
                if hasKazakhLetter {
                    sides.append(.kk)
                } else {
                    let margin = ll[0] - ll[1]
                    if margin >= Self.wordMargin { sides.append(.kk) }
                    else if margin <= -Self.wordMargin { sides.append(.ru) }
                }
            }
        }

        for token in text.split(whereSeparator: { $0.isWhitespace }) {
            // URLs and e-mail addresses are language-neutral noise.
            if token.contains("://") || token.hasPrefix("www.") || (token.contains("@") && token.contains(".")) {
                continue
            }
            for s in token.unicodeScalars {
                if LetterScan.isLetter(s) {
                    let v = s.value
                    switch LetterScan.script(v) {
                    case .latin: letters.latin += 1; wordLatin += 1
                    case .cyrillic: letters.cyrillic += 1; wordCyrillic += 1
                    case .other: letters.other += 1
                    }
                    let upper = LetterScan.isUpper(v)
                    if word.isEmpty { firstUpper = upper }
                    if !upper { allUpper = false }
                    let l = LetterScan.lower(s)
                    if LetterScan.isKazakhLetter(l) { hasKazakhLetter = true }
                    word.append(l)
                } else {
                    finishWord()
                    if s == "." || s == "!" || s == "?" || s == "…" || s == "–" || s == "—" || s == ":" { sentenceStart = true }
                }
            }
            finishWord()
        }

        // Digits, symbols, a stray letter, or another script (Chinese, Arabic, ...): other.
        let known = letters.latin + letters.cyrillic
        if known < 2 || letters.other > known || grams == 0 {
            return LanguageGuess(language: .other, scores: [.kk: 0, .ru: 0, .en: 0, .other: 1], confidence: 1)
        }

        let logits = total / Double(max(grams, 1)) * Self.temperature
        let shifted = logits - logits.max()
        var p = SIMD4<Double>(exp(shifted[0]), exp(shifted[1]), exp(shifted[2]), exp(shifted[3]))
        p /= p.sum()
        var scores: [Language: Double] = [:]
        for (i, language) in LanguageProfile.languages.enumerated() { scores[language] = p[i] }
        var best = 0
        for i in 1..<4 where p[i] > p[best] { best = i }

        if let (a, b) = Self.codeSwitch(sides) {
            let confidence = Self.score(of: a, p) + Self.score(of: b, p)
            return LanguageGuess(language: .mixed, scores: scores, confidence: confidence)
        }
        return LanguageGuess(language: LanguageProfile.languages[best], scores: scores, confidence: p[best])
    }

    private func functionWordBonus(_ word: [UInt32]) -> SIMD4<Double> {
        // Function words are short: at most 7 letters keeps the String in its small (allocation-free) form.
        guard word.count <= 7 else { return .zero }
        var s = String.UnicodeScalarView()
        for v in word { if let u = Unicode.Scalar(v) { s.append(u) } }
        let w = String(s)
        var bonus = SIMD4<Double>.zero
        if LanguageWords.kk.contains(w) { bonus[0] += Self.functionWordBonus }
        if LanguageWords.ru.contains(w) { bonus[1] += Self.functionWordBonus }
        if LanguageWords.en.contains(w) { bonus[2] += Self.functionWordBonus }
        return bonus
    }

    private static func score(of side: Side, _ p: SIMD4<Double>) -> Double {
        switch side {
        case .kk: return p[0]
        case .ru: return p[1]
        case .latin: return p[2] + p[3]
        }
    }

    /// The two sides of a code-switching line, or nil when the line is in one language.
    private static func codeSwitch(_ sides: [Side]) -> (Side, Side)? {
        guard sides.count >= 2 * mixedMinWords else { return nil }
        var counts = [0, 0, 0]
        for s in sides { counts[s.rawValue] += 1 }
        let order = [0, 1, 2].sorted { counts[$0] > counts[$1] }
        let major = order[0], minor = order[1]
        let labelled = counts[major] + counts[minor]
        guard counts[minor] >= mixedMinWords, Double(counts[minor]) >= mixedMinShare * Double(labelled) else { return nil }
        // The minority must form a clause: consecutive words, not scattered loanwords.
        var run = 0, longest = 0
        for s in sides {
            if s.rawValue == minor { run += 1; longest = max(longest, run) }
            else if s.rawValue == major { run = 0 }
        }
        guard longest >= mixedMinRun, let a = Side(rawValue: major), let b = Side(rawValue: minor) else { return nil }
        return (a, b)
    }
}
