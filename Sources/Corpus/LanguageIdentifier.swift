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
    /// A word's n-gram evidence is capped at this many n-grams' worth: a long Russian loanword with a Kazakh
    /// ending ("университетте") must not outvote the short native words around it.
    static let wordGramCap = 10.0
    /// Weight of a capitalised word inside a sentence (a name: "Өскемен" in a Russian line).
    static let nameWeight = 0.3
    /// Softmax temperature on the mean per-n-gram log-likelihood: turns evidence into probabilities that are
    /// neither all 0/1 nor flat.
    static let temperature = 3.0
    /// A Cyrillic word without Kazakh letters gets a kk or ru label only with at least this log-likelihood margin.
    static let wordMargin = 3.0
    /// Code-switching between clauses (the usual case: "Мен бүгін жұмысқа бардым, но там никого не было"):
    /// clauses of at least `clauseMinWords` words in two languages, the smaller side with this share of the words.
    static let clauseMinWords = 2
    static let mixedMinShare = 0.2
    /// Code-switching inside one clause needs a run of this many consecutive words of the second language and
    /// `inClauseMinShare` of the labelled words: two loanwords in a row ("концертке билет") are not a switch.
    static let inClauseMinRun = 3
    static let inClauseMinShare = 0.25

    private let profile: LanguageProfile

    public init() {
        profile = LanguageProfile.shared
    }

    /// The side of a code-switch a word is on.
    enum Side: Int { case kk = 0, ru = 1, latin = 2 }

    /// One word's contribution to the code-switch decision: its side (nil for names, acronyms and close calls)
    /// and its clause.
    struct WordSide {
        var side: Side?
        var clause: Int
    }

    public func identify(_ text: String) -> LanguageGuess { identify(text, trace: nil) }

    /// `trace` gets each word with its kk−ru margin and a note (for tuning the thresholds).
    func identify(_ text: String, trace: ((String, Double, String) -> Void)?) -> LanguageGuess {
        var total = SIMD4<Double>.zero
        var weight = 0.0
        var letters = (latin: 0, cyrillic: 0, other: 0)
        var words: [WordSide] = []
        var word: [UInt32] = []
        word.reserveCapacity(64)
        var firstUpper = false, allUpper = true, hasKazakhLetter = false
        var wordLatin = 0, wordCyrillic = 0
        var sentenceStart = true
        var clause = 0

        // "Қaзaқстaн" with Latin a: score it as the Cyrillic word it was meant to be (see HomoglyphRepair).
        func repairHomoglyphs() {
            var twins = word
            for (i, v) in word.enumerated() where LetterScan.script(v) == .latin {
                guard let twin = HomoglyphRepair.lowercaseTwin(v) else { return }
                twins[i] = twin
                if LetterScan.isKazakhLetter(twin) { hasKazakhLetter = true }
            }
            word = twins
            wordCyrillic += wordLatin
            wordLatin = 0
        }

        func finishWord() {
            defer {
                word.removeAll(keepingCapacity: true)
                firstUpper = false; allUpper = true; hasKazakhLetter = false
                wordLatin = 0; wordCyrillic = 0
            }
            guard !word.isEmpty else { return }
            let initial = sentenceStart
            sentenceStart = false
            if wordLatin > 0 && wordCyrillic > 0 { repairHomoglyphs() }
            let (ngramLL, n) = word.withUnsafeBufferPointer { profile.score(word: $0) }
            // Names and acronyms are weak evidence of the line's language and none of a code-switch:
            // "Алматы" in a Russian sentence, "Python" or "NASA" in a Kazakh one.
            let isName = firstUpper && !initial && word.count > 1
            let isAcronym = allUpper && word.count > 1 && word.count <= 5
            let bonus = functionWordBonus(word)
            let ll = ngramLL + bonus
            if n > 0 {
                let w = isName || isAcronym ? Self.nameWeight : 1
                let capped = min(Double(n), Self.wordGramCap)
                total += ngramLL * (capped / Double(n) * w) + bonus
                weight += capped * w
            }
            if let trace {
                let w = String(String.UnicodeScalarView(word.compactMap(Unicode.Scalar.init)))
                trace(w, ll[0] - ll[1], isName ? "name" : isAcronym ? "acronym" : "")
            }
            var side: Side?
            if isName || isAcronym {
                side = nil
            } else if wordLatin > wordCyrillic {
                side = .latin
            } else if wordCyrillic > 0 {
                if hasKazakhLetter {
                    side = .kk
                } else {
                    let margin = ll[0] - ll[1]
                    if margin >= Self.wordMargin { side = .kk } else if margin <= -Self.wordMargin { side = .ru }
                }
            }
            words.append(WordSide(side: side, clause: clause))
        }

        func feed(_ s: Unicode.Scalar) {
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
                return
            }
            finishWord()
            switch s {
            case ".", "!", "?", "…", ":":
                sentenceStart = true
                clause += 1
            case ",", ";", "–", "—", "(", ")", "«", "»", "\"":
                clause += 1
            default:
                break
            }
        }

        if Self.mayHaveAddress(text) {
            for token in text.split(whereSeparator: { $0.isWhitespace }) {
                // URLs and e-mail addresses are language-neutral noise.
                if token.contains("://") || token.hasPrefix("www.") || (token.contains("@") && token.contains(".")) {
                    continue
                }
                for s in token.unicodeScalars { feed(s) }
                finishWord()
            }
        } else {
            // The usual line: one pass over the scalars, no token array.
            for s in text.unicodeScalars { feed(s) }
            finishWord()
        }

        // Digits, symbols, a stray letter, or another script (Chinese, Arabic, ...): other.
        let known = letters.latin + letters.cyrillic
        if known < 2 || letters.other > known || weight == 0 {
            return LanguageGuess(language: .other, scores: [.kk: 0, .ru: 0, .en: 0, .other: 1], confidence: 1)
        }

        let logits = total / weight * Self.temperature
        let shifted = logits - logits.max()
        var p = SIMD4<Double>(exp(shifted[0]), exp(shifted[1]), exp(shifted[2]), exp(shifted[3]))
        p /= p.sum()
        var scores: [Language: Double] = [:]
        for (i, language) in LanguageProfile.languages.enumerated() { scores[language] = p[i] }
        var best = 0
        for i in 1..<4 where p[i] > p[best] { best = i }

        if let (a, b) = Self.codeSwitch(words) {
            let confidence = Self.score(of: a, p) + Self.score(of: b, p)
            return LanguageGuess(language: .mixed, scores: scores, confidence: confidence)
        }
        return LanguageGuess(language: LanguageProfile.languages[best], scores: scores, confidence: p[best])
    }

    /// Cheap test for "://", "www." or "@" before splitting a line into tokens.
    private static func mayHaveAddress(_ text: String) -> Bool {
        var previous: UInt8 = 0
        for b in text.utf8 {
            if b == UInt8(ascii: "@") || (b == UInt8(ascii: "/") && previous == UInt8(ascii: ":")) { return true }
            if b == UInt8(ascii: ".") && previous == UInt8(ascii: "w") { return true }
            previous = b
        }
        return false
    }

    private func functionWordBonus(_ word: [UInt32]) -> SIMD4<Double> {
        let mask = word.withUnsafeBufferPointer(LanguageWords.mask)
        guard mask != 0 else { return .zero }
        let b = Self.functionWordBonus
        return SIMD4(mask & 1 != 0 ? b : 0, mask & 2 != 0 ? b : 0, mask & 4 != 0 ? b : 0, 0)
    }

    private static func score(of side: Side, _ p: SIMD4<Double>) -> Double {
        switch side {
        case .kk: return p[0]
        case .ru: return p[1]
        case .latin: return p[2] + p[3]
        }
    }

    /// The two sides (major, minor) of a code-switching line, or nil when the line is in one language.
    static func codeSwitch(_ words: [WordSide]) -> (Side, Side)? {
        guard words.count >= 2 * clauseMinWords else { return nil }
        // 1. Clauses: each clause of enough words takes the side most of its labelled words have.
        var clauseWords = [0, 0, 0]
        var start = 0
        while start < words.count {
            var end = start
            var counts = [0, 0, 0]
            while end < words.count && words[end].clause == words[start].clause {
                if let s = words[end].side { counts[s.rawValue] += 1 }
                end += 1
            }
            let sorted = counts.sorted(by: >)
            if end - start >= clauseMinWords, sorted[0] > sorted[1], let top = counts.firstIndex(of: sorted[0]) {
                clauseWords[top] += end - start
            }
            start = end
        }
        if let pair = majorMinor(clauseWords), clauseWords[pair.1] >= clauseMinWords,
           Double(clauseWords[pair.1]) >= mixedMinShare * Double(words.count),
           let a = Side(rawValue: pair.0), let b = Side(rawValue: pair.1) {
            return (a, b)
        }
        // 2. A switch inside a clause: a run of consecutive words of the second language.
        var counts = [0, 0, 0]
        for w in words { if let s = w.side { counts[s.rawValue] += 1 } }
        guard let (major, minor) = majorMinor(counts),
              Double(counts[minor]) >= inClauseMinShare * Double(counts[major] + counts[minor]) else { return nil }
        var run = 0, longest = 0, clause = -1
        for w in words {
            // A list of loanwords across commas ("Телефон, компьютер, планшет ...") is no run.
            if w.clause != clause { run = 0; clause = w.clause }
            guard let s = w.side else { continue }
            if s.rawValue == minor { run += 1; longest = max(longest, run) } else if s.rawValue == major { run = 0 }
        }
        guard longest >= inClauseMinRun, let a = Side(rawValue: major), let b = Side(rawValue: minor) else { return nil }
        return (a, b)
    }

    /// Indices of the largest and second-largest nonzero counts.
    private static func majorMinor(_ counts: [Int]) -> (Int, Int)? {
        let order = [0, 1, 2].sorted { counts[$0] > counts[$1] }
        return counts[order[1]] > 0 ? (order[0], order[1]) : nil
    }
}
