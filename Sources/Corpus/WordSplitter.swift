/// Words, defined once for the whole module (quality filters, MinHash shingles, tokens per word):
/// maximal runs of Unicode letters, combining marks and digits. Everything else separates words,
/// so `бір-бірі` and `don't` are two words each.
public enum WordSplitter {
    @inline(__always)
    public static func isWordScalar(_ s: Unicode.Scalar) -> Bool {
        if s.isASCII {
            let v = s.value
            return (v >= 48 && v <= 57) || (v >= 65 && v <= 90) || (v >= 97 && v <= 122)
        }
        if s.value >= 0x0400 && s.value <= 0x04FF { return s.value != 0x0482 }  // Cyrillic letters and marks
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .letterNumber, .otherNumber:
            return true
        default:
            return false
        }
    }

    public static func words(in text: String) -> [String] {
        var words: [String] = []
        var current = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            if isWordScalar(s) {
                current.append(s)
            } else if !current.isEmpty {
                words.append(String(current))
                current = String.UnicodeScalarView()
            }
        }
        if !current.isEmpty { words.append(String(current)) }
        return words
    }

    public static func count(in text: String) -> Int {
        var n = 0
        var inWord = false
        for s in text.unicodeScalars {
            let w = isWordScalar(s)
            if w && !inWord { n += 1 }
            inWord = w
        }
        return n
    }
}
