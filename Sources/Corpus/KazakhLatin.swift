import Foundation

/// Kazakh Cyrillic ⇄ the 2021 Kazakh Latin alphabet (31 letters: A Ä B D E F G Ğ H I İ J K L M N Ñ O Ö P Q R S Ş T U Ū Ü V Y Z).
///
/// The decree maps the 33 native Kazakh sounds; the Russian-only letters (ё ц ч щ ъ ь э ю я) have no
/// official letter, so the choices for them are ours and listed in docs/corpus.md ("Transliteration").
/// Latin → Cyrillic is lossy where two Cyrillic letters share one Latin letter (и/й → i, х/һ → h,
/// ш/щ → ş, е/э → e, с/ц → s, ъ/ь dropped); the reverse picks the Kazakh-typical letter.
public enum KazakhLatin {
    // MARK: Cyrillic → Latin

    /// Lower-case Cyrillic scalar → lower-case Latin string.
    private static let toLatinTable: [UInt32: String] = [
        0x430: "a", 0x4D9: "ä", 0x431: "b", 0x432: "v", 0x433: "g", 0x493: "ğ", 0x434: "d", 0x435: "e",
        0x451: "io", 0x436: "j", 0x437: "z", 0x438: "i", 0x439: "i", 0x43A: "k", 0x49B: "q", 0x43B: "l",
        0x43C: "m", 0x43D: "n", 0x4A3: "ñ", 0x43E: "o", 0x4E9: "ö", 0x43F: "p", 0x440: "r", 0x441: "s",
        0x442: "t", 0x443: "u", 0x4B1: "ū", 0x4AF: "ü", 0x444: "f", 0x445: "h", 0x4BB: "h", 0x446: "s",
        0x447: "ch", 0x448: "ş", 0x449: "ş", 0x44A: "", 0x44B: "y", 0x456: "ı", 0x44C: "", 0x44D: "e",
        0x44E: "iu", 0x44F: "ia",
    ]

    /// Upper-case Cyrillic scalar → its lower-case scalar, for the letters in `toLatinTable`.
    private static func cyrillicLower(_ v: UInt32) -> UInt32? {
        switch v {
        case 0x410...0x42F: return v + 0x20
        case 0x400...0x40F: return v + 0x50  // Ё, І and the rest of the Cyrillic supplement block
        case 0x4D8, 0x492, 0x49A, 0x4A2, 0x4E8, 0x4B0, 0x4AE, 0x4BA: return v + 1
        default: return nil
        }
    }

    /// Upper case of a Latin scalar, Turkic-style: i → İ and ı → I (String.uppercased would give I for both).
    private static func latinUpper(_ s: Unicode.Scalar) -> Unicode.Scalar {
        switch s.value {
        case 0x69: return "\u{130}"  // i → İ
        case 0x131: return "I"  // ı → I
        case 0x61...0x7A: return Unicode.Scalar(s.value - 0x20)!
        case 0xE0...0xFE where s.value != 0xF7: return Unicode.Scalar(s.value - 0x20)!  // ä ñ ö ü
        case 0x11F, 0x15F, 0x16B: return Unicode.Scalar(s.value - 1)!  // ğ ş ū
        default: return s
        }
    }

    private static func isLetter(_ s: Unicode.Scalar) -> Bool { s.properties.isAlphabetic }
    private static func isUpper(_ s: Unicode.Scalar) -> Bool { s.properties.isUppercase }

    /// `toLatinTable` as flat arrays over U+0400–U+04FF for the hot loop: up to two Latin scalars per letter,
    /// `noEntry` where the table has no letter, 0 for "nothing" (ъ, ь, or no second letter).
    private static let noEntry = UInt32.max
    private static let flatLatin: (first: [UInt32], second: [UInt32]) = {
        var first = [UInt32](repeating: noEntry, count: 0x100)
        var second = [UInt32](repeating: 0, count: 0x100)
        for (cyrillic, latin) in toLatinTable {
            let scalars = Array(latin.unicodeScalars)
            first[Int(cyrillic - 0x400)] = scalars.first?.value ?? 0
            second[Int(cyrillic - 0x400)] = scalars.count > 1 ? scalars[1].value : 0
        }
        return (first, second)
    }()

    /// Kazakh Cyrillic → 2021 Latin. Anything that is not a Cyrillic letter of the table passes through.
    /// Case is kept: a capital that becomes two letters is title case ("Ч" → "Ch") unless the word is in
    /// capitals ("ЧЕХОВ" → "CHEHOV").
    public static func toLatin(_ cyrillic: String) -> String {
        let scalars = Array(cyrillic.unicodeScalars)
        let (first, second) = flatLatin
        var out = String.UnicodeScalarView()
        out.reserveCapacity(cyrillic.utf8.count)
        for (i, s) in scalars.enumerated() {
            let v = s.value
            guard v >= 0x400 && v < 0x500 else {
                out.append(s)
                continue
            }
            let lower = cyrillicLower(v) ?? v
            let a = first[Int(lower - 0x400)], b = second[Int(lower - 0x400)]
            if a == noEntry {
                out.append(s)
                continue
            }
            if a == 0 { continue }  // ъ, ь
            let upper = lower != v
            guard upper else {
                out.append(Unicode.Scalar(a)!)
                if b != 0 { out.append(Unicode.Scalar(b)!) }
                continue
            }
            out.append(latinUpper(Unicode.Scalar(a)!))
            guard b != 0 else { continue }
            // All capitals when the neighbouring letter is a capital: the next one, or at a word's end the previous one.
            let next = i + 1 < scalars.count && isLetter(scalars[i + 1]) ? scalars[i + 1] : nil
            let prev = i > 0 && isLetter(scalars[i - 1]) ? scalars[i - 1] : nil
            let allCaps = next.map(isUpper) ?? prev.map(isUpper) ?? false
            out.append(allCaps ? latinUpper(Unicode.Scalar(b)!) : Unicode.Scalar(b)!)
        }
        return String(out)
    }

    // MARK: Latin → Cyrillic

    /// Lower-case Latin scalar → lower-case Cyrillic scalar. Letters outside the 2021 alphabet (c, w, x, ...)
    /// are not here and pass through unchanged.
    private static let toCyrillicTable: [UInt32: UInt32] = [
        0x61: 0x430, 0xE4: 0x4D9, 0x62: 0x431, 0x64: 0x434, 0x65: 0x435, 0x66: 0x444, 0x67: 0x433, 0x11F: 0x493,
        0x68: 0x445, 0x131: 0x456, 0x69: 0x438, 0x6A: 0x436, 0x6B: 0x43A, 0x6C: 0x43B, 0x6D: 0x43C, 0x6E: 0x43D,
        0xF1: 0x4A3, 0x6F: 0x43E, 0xF6: 0x4E9, 0x70: 0x43F, 0x71: 0x49B, 0x72: 0x440, 0x73: 0x441, 0x15F: 0x448,
        0x74: 0x442, 0x75: 0x443, 0x16B: 0x4B1, 0xFC: 0x4AF, 0x76: 0x432, 0x79: 0x44B, 0x7A: 0x437,
    ]

    /// `toCyrillicTable` as an array over U+0000–U+016F (0 = not a letter of the alphabet), for the hot loop.
    private static let flatCyrillic: [UInt32] = {
        var flat = [UInt32](repeating: 0, count: 0x170)
        for (latin, cyrillic) in toCyrillicTable { flat[Int(latin)] = cyrillic }
        return flat
    }()

    /// Vowels of the 2021 alphabet, lower case: an `i` after one of these (and not before one) is й.
    private static let latinVowels: Set<UInt32> = [0x61, 0xE4, 0x65, 0x6F, 0xF6, 0x75, 0x16B, 0xFC, 0x131, 0x79, 0x69]

    /// Lower case of a Latin scalar of the alphabet with a flag for upper case. İ → i and I → ı (Turkic).
    private static func latinLower(_ s: Unicode.Scalar) -> (UInt32, Bool) {
        switch s.value {
        case 0x130: return (0x69, true)  // İ
        case 0x49: return (0x131, true)  // I is the capital of ı
        case 0x41...0x5A: return (s.value + 0x20, true)
        case 0xC0...0xDE where s.value != 0xD7: return (s.value + 0x20, true)
        case 0x11E, 0x15E, 0x16A: return (s.value + 1, true)
        default: return (s.value, false)
        }
    }

    private static func cyrillicUpper(_ v: UInt32) -> UInt32 {
        switch v {
        case 0x430...0x44F: return v - 0x20
        case 0x450...0x45F: return v - 0x50
        case 0x4D9, 0x493, 0x49B, 0x4A3, 0x4E9, 0x4B1, 0x4AF, 0x4BB: return v - 1
        default: return v
        }
    }

    /// 2021 Latin → Kazakh Cyrillic. Digraphs first: ch → ч, ia → я, iu → ю. Then `i` is й after a vowel
    /// (bai → бай, oiyn → ойын, syilyq → сыйлық) and и elsewhere; h → х, ş → ш, e → е, s → с.
    /// The input is put in NFC first, so decomposed ä, ş, ū ... are recognised.
    public static func toCyrillic(_ latin: String) -> String {
        // NFC only when a combining mark (U+0300–U+036F) could be part of a letter: normalising is the slow part.
        let needsNFC = latin.unicodeScalars.contains { (0x300...0x36F).contains($0.value) }
        let scalars = Array((needsNFC ? latin.precomposedStringWithCanonicalMapping : latin).unicodeScalars)
        let lowered = scalars.map(latinLower)
        var out = String.UnicodeScalarView()
        out.reserveCapacity(scalars.count)
        func emit(_ lowerCyrillic: UInt32, upper: Bool) {
            out.append(Unicode.Scalar(upper ? cyrillicUpper(lowerCyrillic) : lowerCyrillic)!)
        }
        var i = 0
        while i < scalars.count {
            let (c, upper) = lowered[i]
            let next: UInt32? = i + 1 < scalars.count ? lowered[i + 1].0 : nil
            if c == 0x63, next == 0x68 {  // ch
                emit(0x447, upper: upper); i += 2; continue
            }
            if c == 0x69, next == 0x61 {  // ia
                emit(0x44F, upper: upper); i += 2; continue
            }
            if c == 0x69, next == 0x75 {  // iu
                emit(0x44E, upper: upper); i += 2; continue
            }
            if c == 0x69 {
                // Native Kazakh writes й, never и, after a vowel (ай, ойын, сыйлық).
                let afterVowel = i > 0 && latinVowels.contains(lowered[i - 1].0)
                emit(afterVowel ? 0x439 : 0x438, upper: upper)
                i += 1; continue
            }
            if c < 0x170, case let cyr = flatCyrillic[Int(c)], cyr != 0 {
                emit(cyr, upper: upper)
            } else {
                out.append(scalars[i])
            }
            i += 1
        }
        return String(out)
    }
}
