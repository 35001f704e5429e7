// TEMPORARY stand-in for the colleague's API (branch `lang`). Delete on merge.

public enum Language: String, Codable, Sendable, CaseIterable { case kk, ru, en, other, mixed }

public struct LanguageGuess: Sendable, Equatable {
    public var language: Language
    public var scores: [Language: Double]
    public var confidence: Double
}

public struct LanguageIdentifier: Sendable {
    public init() {}
    public func identify(_ text: String) -> LanguageGuess {
        let kkOnly = Set("әғқңөұүһіӘҒҚҢӨҰҮҺІ".unicodeScalars)
        var cyr = 0, kk = 0, lat = 0
        for s in text.unicodeScalars {
            if kkOnly.contains(s) { kk += 1; cyr += 1 }
            else if (0x0400...0x04FF).contains(s.value) { cyr += 1 }
            else if s.properties.isAlphabetic && s.isASCII { lat += 1 }
        }
        let total = cyr + lat
        guard total > 0 else { return LanguageGuess(language: .other, scores: [.other: 1], confidence: 1) }
        let lang: Language = cyr > lat * 4 ? (kk > 0 ? .kk : .ru) : lat > cyr * 4 ? .en : .mixed
        return LanguageGuess(language: lang, scores: [lang: 1], confidence: 1)
    }
}

public enum HomoglyphRepair {
    public static func repair(_ text: String) -> (text: String, replacements: Int) {
        // Latin letters inside Cyrillic words -> Cyrillic look-alikes.
        let map: [Character: Character] = ["a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у",
                                           "A": "А", "E": "Е", "O": "О", "P": "Р", "C": "С", "X": "Х", "H": "Н", "K": "К", "M": "М", "T": "Т", "B": "В"]
        var out = "", word: [Character] = [], n = 0
        func flush() {
            let cyr = word.contains { $0.unicodeScalars.allSatisfy { (0x0400...0x04FF).contains($0.value) } }
            for c in word { if cyr, let r = map[c] { out.append(r); n += 1 } else { out.append(c) } }
            word.removeAll()
        }
        for c in text { if c.isLetter { word.append(c) } else { flush(); out.append(c) } }
        flush()
        return (out, n)
    }
}
