import Foundation

/// The first cleaning step: invisible and control characters out, spaces made plain, then NFC.
///
/// - Removed: C0 controls except `\n` and `\t`, DEL, C1 controls (U+0080–U+009F), zero-width
///   U+200B–U+200D and U+2060, BOM U+FEFF, soft hyphen U+00AD, and bidi controls (U+200E, U+200F,
///   U+202A–U+202E, U+2066–U+2069).
/// - `\r\n`, `\r`, U+2028 and U+2029 become `\n`; NBSP and the other space separators become a space;
///   `\t` becomes a space unless `keepTabs`.
/// - Within a line, runs of spaces collapse to one and the line is trimmed; more than one blank line
///   in a row becomes one (paragraph breaks stay); the text is trimmed.
/// - Last, Unicode NFC (`precomposedStringWithCanonicalMapping`), after the removals, so that a mark
///   separated from its base by a removed character still composes.
public struct TextNormalizer: Sendable {
    public var keepTabs: Bool

    public init(keepTabs: Bool = false) {
        self.keepTabs = keepTabs
    }

    public static func isRemoved(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x00...0x08, 0x0B, 0x0C, 0x0E...0x1F, 0x7F...0x9F: return true
        case 0x00AD, 0x200B...0x200F, 0x202A...0x202E, 0x2060, 0x2066...0x2069, 0xFEFF: return true
        default: return false
        }
    }

    /// Scalars that are in NFC on their own and never the second element of a canonical composition
    /// (Latin up to U+02FF, Cyrillic without its combining marks, common punctuation, currency, №):
    /// a text made only of them is already NFC, and the costly Foundation call is skipped.
    /// Checked exhaustively over the BMP in TextNormalizerTests.
    @inline(__always)
    public static func isNFCInert(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x0000...0x02FF, 0x0400...0x0482, 0x048A...0x04FF, 0x2010...0x2027, 0x2030...0x205E, 0x20A0...0x20C0, 0x2116:
            return true
        default:
            return false
        }
    }

    public func normalize(_ text: String) -> String {
        var lines: [String] = []
        var line = String.UnicodeScalarView()
        var pendingSpace = false
        var blankRun = 0
        func endLine() {
            if line.isEmpty {
                blankRun += 1
                if blankRun == 1, !lines.isEmpty { lines.append("") }
            } else {
                blankRun = 0
                lines.append(String(line))
            }
            line = String.UnicodeScalarView()
            pendingSpace = false
        }
        var previousCR = false
        var inert = true
        for s in text.unicodeScalars {
            if s.value >= 0x0400 && s.value <= 0x04FF {
                // Cyrillic: never a space or a removed character.
                if pendingSpace {
                    line.append(" ")
                    pendingSpace = false
                }
                line.append(s)
                if s.value >= 0x0483 && s.value <= 0x0489 { inert = false }
                continue
            }
            if s == "\n" && previousCR {
                previousCR = false
                continue
            }
            previousCR = s == "\r"
            if s == "\n" || s == "\r" || s == "\u{2028}" || s == "\u{2029}" {
                endLine()
                continue
            }
            if s == "\t" && keepTabs {
                line.append(s)
                pendingSpace = false
                continue
            }
            if s.isASCII, s.value >= 0x21, s.value != 0x7F {
                if pendingSpace {
                    line.append(" ")
                    pendingSpace = false
                }
                line.append(s)
                continue
            }
            if Self.isRemoved(s) { continue }
            if s == "\t" || s == " " || s.properties.generalCategory == .spaceSeparator {
                if !line.isEmpty { pendingSpace = true }
                continue
            }
            if pendingSpace {
                line.append(" ")
                pendingSpace = false
            }
            line.append(s)
            if inert && !Self.isNFCInert(s) { inert = false }
        }
        endLine()
        while lines.last == "" { lines.removeLast() }
        let joined = lines.joined(separator: "\n")
        return inert ? joined : joined.precomposedStringWithCanonicalMapping
    }
}
