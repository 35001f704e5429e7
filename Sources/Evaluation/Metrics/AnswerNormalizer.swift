import Foundation

/// Normalisation for exact-match scoring of short generated answers.
///
/// Rules, in order:
/// 1. Unicode NFC, so precomposed and decomposed spellings (e.g. "й" vs "и" + U+0306) compare equal.
/// 2. `lowercased()` (full Unicode case mapping; Kazakh and Russian Cyrillic map correctly,
///    e.g. І→і, Ә→ә, Ғ→ғ, Қ→қ, Ң→ң, Ө→ө, Ұ→ұ, Ү→ү, Һ→һ, Ё→ё), then NFC again because case
///    mapping may emit decomposed sequences.
/// 3. Whitespace runs (any Unicode White_Space, including newlines and NBSP) become one space.
/// 4. Leading and trailing whitespace, punctuation and quotes are removed, repeatedly, so
///    `«Астана».` and ` "Астана" ` both become `астана`. Stripped set: « » “ ” „ " ' ‘ ’
///    . , ! ? : ; … and whitespace. Inner punctuation (hyphens, inner periods) is kept,
///    because it can be part of the answer ("1991-12-16", "Т. Рысқұлов").
public enum AnswerNormalizer {
    /// Scalars stripped from both ends (see the type's documentation).
    static let edgeScalars: Set<Unicode.Scalar> = [
        "«", "»", "\u{201C}", "\u{201D}", "\u{201E}", "\"", "'", "\u{2018}", "\u{2019}",
        ".", ",", "!", "?", ":", ";", "\u{2026}",
    ]

    public static func normalize(_ s: String) -> String {
        let lowered = s.precomposedStringWithCanonicalMapping.lowercased()
            .precomposedStringWithCanonicalMapping
        // Collapse whitespace runs into single spaces.
        var collapsed = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in lowered.unicodeScalars {
            if scalar.properties.isWhitespace {
                pendingSpace = true
            } else {
                if pendingSpace && !collapsed.isEmpty { collapsed.append(" ") }
                pendingSpace = false
                collapsed.append(scalar)
            }
        }
        // Strip edge punctuation/quotes; stripping can expose a space, which is stripped too.
        let scalars = Array(collapsed)
        func strippable(_ s: Unicode.Scalar) -> Bool { s == " " || edgeScalars.contains(s) }
        guard let start = scalars.firstIndex(where: { !strippable($0) }),
              let end = scalars.lastIndex(where: { !strippable($0) })
        else { return "" }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[start...end])
        return String(view)
    }

    /// True when the normalised prediction equals any normalised answer. Answers that
    /// normalise to the empty string are ignored, so an empty output never matches.
    public static func exactMatch(prediction: String, answers: [String]) -> Bool {
        let p = normalize(prediction)
        guard !p.isEmpty else { return false }
        return answers.contains { normalize($0) == p }
    }
}
