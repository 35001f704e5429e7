/// Per-code-point character classes as llama.cpp's `unicode.cpp` sees them.
///
/// llama.cpp classifies with its own generated tables (`unicode-data.cpp`, built
/// from an older Unicode release than Swift's runtime). We take the general
/// category from Swift and then treat code points that Unicode assigned after
/// llama.cpp's tables as unassigned, so both sides agree on \p{L}, \p{N}, \p{P}.
/// Whitespace (`\s`) is the Unicode White_Space property, which is exactly
/// llama.cpp's `unicode_set_whitespace` (notably *not* U+001C...U+001F, which
/// Python's `str.isspace` includes).
struct CodepointFlags: Equatable, Sendable {
    var raw: UInt8

    static let letter: UInt8 = 0x01
    static let number: UInt8 = 0x02
    static let whitespace: UInt8 = 0x04
    static let punctuation: UInt8 = 0x08
    static let mark: UInt8 = 0x10
    static let symbol: UInt8 = 0x20
    /// Set for every code point inside the text fragment, so `raw == 0` means
    /// "out of range" (llama.cpp's `flags.as_uint() == 0`).
    static let present: UInt8 = 0x80

    /// The flags llama.cpp's matchers return past the end of the current fragment.
    static let outOfRange = CodepointFlags(raw: 0)

    @inline(__always) var isLetter: Bool { raw & Self.letter != 0 }
    @inline(__always) var isNumber: Bool { raw & Self.number != 0 }
    @inline(__always) var isWhitespace: Bool { raw & Self.whitespace != 0 }
    @inline(__always) var isPunctuation: Bool { raw & Self.punctuation != 0 }
    @inline(__always) var isPresent: Bool { raw != 0 }

    @inline(__always) static func of(_ cp: UInt32) -> CodepointFlags {
        if cp < 0x10000 { return CodepointFlags(raw: bmpTable[Int(cp)]) }
        return CodepointFlags(raw: computeFlags(cp))
    }
}

/// Flags of the Basic Multilingual Plane, computed once (a few ms) on first use;
/// rarer planes are classified on demand.
private let bmpTable: [UInt8] = (0..<0x10000).map { computeFlags(UInt32($0)) }

private func computeFlags(_ cp: UInt32) -> UInt8 {
    var f = CodepointFlags.present
    if isUnicodeWhitespace(cp) { f |= CodepointFlags.whitespace }
    guard let s = Unicode.Scalar(cp) else { return f }  // surrogates: category C
    if assignedAfterLlamaTables(cp) { return f }
    switch s.properties.generalCategory {
    case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
        f |= CodepointFlags.letter
    case .decimalNumber, .letterNumber, .otherNumber:
        f |= CodepointFlags.number
    case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
         .initialPunctuation, .finalPunctuation, .otherPunctuation:
        f |= CodepointFlags.punctuation
    case .nonspacingMark, .spacingMark, .enclosingMark:
        f |= CodepointFlags.mark
    case .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
        f |= CodepointFlags.symbol
    default:
        break
    }
    return f
}

/// Unicode White_Space (the set llama.cpp's `\s` uses).
@inline(__always) func isUnicodeWhitespace(_ cp: UInt32) -> Bool {
    switch cp {
    case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
        return true
    default:
        return false
    }
}

/// Code points unassigned in llama.cpp's `unicode-data.cpp` but assigned in the
/// Unicode version of Swift 6.x (Unicode 16/17 additions). Sorted, inclusive.
private let newerAssignments: [(UInt32, UInt32)] = [
    (0x88F, 0x88F), (0x897, 0x897), (0xC5C, 0xC5C), (0xCDC, 0xCDC), (0x1ACF, 0x1ADD), (0x1AE0, 0x1AEB),
    (0x1B4E, 0x1B4F), (0x1B7F, 0x1B7F), (0x1C89, 0x1C8A), (0x20C1, 0x20C1), (0x2427, 0x2429), (0x2B96, 0x2B96),
    (0x31E4, 0x31E5), (0xA7CB, 0xA7CF), (0xA7D2, 0xA7D2), (0xA7D4, 0xA7D4), (0xA7DA, 0xA7DC), (0xA7F1, 0xA7F1),
    (0xFBC3, 0xFBD2), (0xFD90, 0xFD91), (0xFDC8, 0xFDCE), (0x105C0, 0x105F3), (0x10940, 0x10959), (0x10D40, 0x10D65),
    (0x10D69, 0x10D85), (0x10D8E, 0x10D8F), (0x10EC2, 0x10EC7), (0x10ED0, 0x10ED8), (0x10EFA, 0x10EFC), (0x11380, 0x11389),
    (0x1138B, 0x1138B), (0x1138E, 0x1138E), (0x11390, 0x113B5), (0x113B7, 0x113C0), (0x113C2, 0x113C2), (0x113C5, 0x113C5),
    (0x113C7, 0x113CA), (0x113CC, 0x113D5), (0x113D7, 0x113D8), (0x113E1, 0x113E2), (0x116D0, 0x116E3), (0x11B60, 0x11B67),
    (0x11BC0, 0x11BE1), (0x11BF0, 0x11BF9), (0x11DB0, 0x11DDB), (0x11DE0, 0x11DE9), (0x11F5A, 0x11F5A), (0x13460, 0x143FA),
    (0x16100, 0x16139), (0x16D40, 0x16D79), (0x16EA0, 0x16EB8), (0x16EBB, 0x16ED3), (0x16FF2, 0x16FF6), (0x187F8, 0x187FF),
    (0x18CFF, 0x18CFF), (0x18D09, 0x18D1E), (0x18D80, 0x18DF2), (0x1CC00, 0x1CCFC), (0x1CD00, 0x1CEB3), (0x1CEBA, 0x1CED0),
    (0x1CEE0, 0x1CEF0), (0x1E5D0, 0x1E5FA), (0x1E5FF, 0x1E5FF), (0x1E6C0, 0x1E6DE), (0x1E6E0, 0x1E6F5), (0x1E6FE, 0x1E6FF),
    (0x1F6D8, 0x1F6D8), (0x1F777, 0x1F77A), (0x1F8B2, 0x1F8BB), (0x1F8C0, 0x1F8C1), (0x1F8D0, 0x1F8D8), (0x1FA54, 0x1FA57),
    (0x1FA89, 0x1FA8A), (0x1FA8E, 0x1FA8F), (0x1FABE, 0x1FABE), (0x1FAC6, 0x1FAC6), (0x1FAC8, 0x1FAC8), (0x1FACD, 0x1FACD),
    (0x1FADC, 0x1FADC), (0x1FADF, 0x1FADF), (0x1FAE9, 0x1FAEA), (0x1FAEF, 0x1FAEF), (0x1FBCB, 0x1FBEF), (0x1FBFA, 0x1FBFA),
    (0x2B73A, 0x2B73F), (0x2CEA2, 0x2CEAD), (0x323B0, 0x33479),
]

private func assignedAfterLlamaTables(_ cp: UInt32) -> Bool {
    var lo = 0, hi = newerAssignments.count
    while lo < hi {
        let mid = (lo + hi) / 2
        let r = newerAssignments[mid]
        if cp < r.0 { hi = mid } else if cp > r.1 { lo = mid + 1 } else { return true }
    }
    return false
}
