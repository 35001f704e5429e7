/// Repairs Latin look-alike letters typed inside Cyrillic words ("Қaзaқстaн" with Latin a, "бiлiм" with Latin i).
///
/// Such words break tokenization, n-gram statistics and dedup, and they are common in scraped Kazakh text
/// because the Kazakh keyboard layout is missing on many phones. A word is only touched when it has at least one
/// Cyrillic letter and every Latin letter in it has a Cyrillic twin; genuine Latin words ("Python", "iPhone")
/// have no Cyrillic letter, and words like "Wi-Fi" have Latin letters without a twin. Hyphens separate words,
/// so "iPhone-ды" keeps its "iPhone".
public enum HomoglyphRepair {
    /// Latin scalar → Cyrillic look-alike. Latin i becomes Kazakh і: inside a Cyrillic word it is nearly always a
    /// mistyped і (Russian has no dotted i), and h becomes Kazakh һ for the same reason.
    private static let twins: [UInt32: UInt32] = [
        0x61: 0x430, 0x65: 0x435, 0x6F: 0x43E, 0x70: 0x440, 0x63: 0x441, 0x78: 0x445, 0x79: 0x443,
        0x69: 0x456, 0x68: 0x4BB, 0x259: 0x4D9,
        0x41: 0x410, 0x42: 0x412, 0x45: 0x415, 0x4B: 0x41A, 0x4D: 0x41C, 0x48: 0x41D, 0x4F: 0x41E,
        0x50: 0x420, 0x43: 0x421, 0x54: 0x422, 0x58: 0x425, 0x59: 0x423, 0x49: 0x406, 0x18F: 0x4D8,
    ]

    /// Cyrillic twin of a lower-cased Latin letter, for the language identifier, which sees lower-cased words
    /// only (b, k, m, t are twins of the capitals В, К, М, Т).
    static func lowercaseTwin(_ v: UInt32) -> UInt32? {
        switch v {
        case 0x62: return 0x432
        case 0x6B: return 0x43A
        case 0x6D: return 0x43C
        case 0x74: return 0x442
        default: return twins[v]
        }
    }

    private static func isCyrillic(_ v: UInt32) -> Bool { (0x400...0x4FF).contains(v) || (0x500...0x52F).contains(v) }

    /// Latin letter: Basic Latin, Latin-1 and the Latin Extended blocks (ə U+0259 is in IPA Extensions).
    private static func isLatinLetter(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        return (0x41...0x5A).contains(v) || (0x61...0x7A).contains(v)
            || ((0xC0...0x24F).contains(v) && v != 0xD7 && v != 0xF7) || v == 0x259 || (0x1E00...0x1EFF).contains(v)
    }

    /// Latin look-alikes inside Cyrillic words → Cyrillic letters. Returns the text and the number of letters replaced.
    public static func repair(_ text: String) -> (text: String, replacements: Int) {
        let scalars = text.unicodeScalars
        // Fast path for the usual line: nothing to repair unless both scripts occur.
        var hasCyrillic = false, hasTwin = false
        for s in scalars {
            if isCyrillic(s.value) { hasCyrillic = true } else if twins[s.value] != nil { hasTwin = true }
            if hasCyrillic && hasTwin { break }
        }
        guard hasCyrillic && hasTwin else { return (text, 0) }

        var out = String.UnicodeScalarView()
        var word: [Unicode.Scalar] = []
        var replacements = 0

        func flush() {
            defer { word.removeAll(keepingCapacity: true) }
            var cyrillic = false, latin = false, allTwins = true
            for s in word {
                if isCyrillic(s.value) {
                    cyrillic = true
                } else if isLatinLetter(s) {
                    latin = true
                    if twins[s.value] == nil { allTwins = false }
                }
            }
            guard cyrillic, latin, allTwins else {
                out.append(contentsOf: word)
                return
            }
            for s in word {
                if let twin = twins[s.value], let c = Unicode.Scalar(twin) {
                    out.append(c)
                    replacements += 1
                } else {
                    out.append(s)
                }
            }
        }

        for s in scalars {
            // Letters and combining marks make up a word; everything else (spaces, hyphens, digits, apostrophes) ends it.
            if s.properties.isAlphabetic || s.properties.generalCategory == .nonspacingMark {
                word.append(s)
            } else {
                flush()
                out.append(s)
            }
        }
        flush()
        return (String(out), replacements)
    }
}
