/// Scalar-level helpers shared by the language identifier's training and scoring, so both see words the same way.
enum LetterScan {
    enum Script { case latin, cyrillic, other }

    /// The nine letters Kazakh adds to the Russian alphabet: ә ғ қ ң ө ұ ү һ і (lower case).
    static func isKazakhLetter(_ v: UInt32) -> Bool {
        switch v {
        case 0x4D9, 0x493, 0x49B, 0x4A3, 0x4E9, 0x4B1, 0x4AF, 0x4BB, 0x456: return true
        default: return false
        }
    }

    static func script(_ v: UInt32) -> Script {
        if v < 0x80 { return .latin }
        if (0x400...0x52F).contains(v) { return .cyrillic }
        if (0xC0...0x24F).contains(v) || v == 0x259 || (0x1E00...0x1EFF).contains(v) { return .latin }
        return .other
    }

    static func isLetter(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v < 0x80 { return (0x41...0x5A).contains(v) || (0x61...0x7A).contains(v) }
        return s.properties.isAlphabetic
    }

    static func isUpper(_ v: UInt32) -> Bool {
        switch v {
        case 0x41...0x5A, 0x410...0x42F, 0x400...0x40F: return true
        case 0x4D8, 0x492, 0x49A, 0x4A2, 0x4E8, 0x4B0, 0x4AE, 0x4BA: return true
        case 0xC0...0xDE: return v != 0xD7
        case 0x80...: return Unicode.Scalar(v)?.properties.isUppercase ?? false
        default: return false
        }
    }

    /// Lower case without allocating: the ASCII, Latin-1 and Cyrillic ranges by arithmetic, the rest by table.
    static func lower(_ s: Unicode.Scalar) -> UInt32 {
        let v = s.value
        switch v {
        case 0x41...0x5A: return v + 0x20
        case 0x61...0x7A: return v
        case 0x410...0x42F: return v + 0x20
        case 0x400...0x40F: return v + 0x50
        case 0x430...0x45F: return v
        case 0x4D8, 0x492, 0x49A, 0x4A2, 0x4E8, 0x4B0, 0x4AE, 0x4BA: return v + 1
        case 0xC0...0xDE where v != 0xD7: return v + 0x20
        case 0x130: return 0x69  // İ
        default:
            guard s.properties.isUppercase, let l = s.properties.lowercaseMapping.unicodeScalars.first else { return v }
            return l.value
        }
    }
}
