/// Decodes XML character references: `&lt; &gt; &amp; &quot; &apos; &#NNN; &#xHH;`, and with `html`
/// also the HTML named entities common in wikitext (`&nbsp; &ndash; &mdash; ...`). Unknown or
/// malformed references are kept as they are.
public enum XMLEntities {
    static let xml: [String: Unicode.Scalar] = ["lt": "<", "gt": ">", "amp": "&", "quot": "\"", "apos": "'"]
    static let htmlExtra: [String: Unicode.Scalar] = [
        "nbsp": "\u{00A0}", "ndash": "\u{2013}", "mdash": "\u{2014}", "hellip": "\u{2026}", "laquo": "\u{00AB}",
        "raquo": "\u{00BB}", "shy": "\u{00AD}", "thinsp": "\u{2009}", "ensp": "\u{2002}", "emsp": "\u{2003}",
        "times": "\u{00D7}", "minus": "\u{2212}", "middot": "\u{00B7}", "deg": "\u{00B0}", "copy": "\u{00A9}",
        "reg": "\u{00AE}", "bull": "\u{2022}", "lsquo": "\u{2018}", "rsquo": "\u{2019}", "ldquo": "\u{201C}",
        "rdquo": "\u{201D}", "bdquo": "\u{201E}", "zwj": "\u{200D}", "zwnj": "\u{200C}", "prime": "\u{2032}",
        "euro": "\u{20AC}", "pound": "\u{00A3}", "sect": "\u{00A7}", "para": "\u{00B6}", "frac12": "\u{00BD}",
    ]

    public static func decode(_ text: String, html: Bool = false) -> String {
        String(decoding: decode(Array(text.utf8), html: html), as: UTF8.self)
    }

    static func decode(_ s: [UInt8], html: Bool = false) -> [UInt8] {
        guard s.contains(UInt8(ascii: "&")) else { return s }
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        var i = 0
        while i < s.count {
            if s[i] == UInt8(ascii: "&"), let (scalar, length) = reference(s, at: i, html: html) {
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
                i += length
            } else {
                out.append(s[i])
                i += 1
            }
        }
        return out
    }

    /// The scalar a reference at `at` stands for and the reference's length in bytes.
    private static func reference(_ s: [UInt8], at: Int, html: Bool) -> (Unicode.Scalar, Int)? {
        let limit = min(s.count, at + 12)
        guard let semi = s[(at + 1)..<limit].firstIndex(of: UInt8(ascii: ";")), semi > at + 1 else { return nil }
        let body = String(decoding: s[(at + 1)..<semi], as: UTF8.self)
        let length = semi - at + 1
        if body.hasPrefix("#") {
            let digits = body.dropFirst()
            let value: UInt32?
            if digits.first == "x" || digits.first == "X" {
                value = UInt32(digits.dropFirst(), radix: 16)
            } else {
                value = UInt32(digits, radix: 10)
            }
            guard let value, let scalar = Unicode.Scalar(value), value != 0 else { return nil }
            return (scalar, length)
        }
        if let scalar = xml[body] ?? (html ? htmlExtra[body] : nil) { return (scalar, length) }
        return nil
    }
}
