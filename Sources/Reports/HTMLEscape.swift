/// The one HTML/SVG text escaper for every page and chart Aqyl renders (the
/// stats page, evaluation comparisons, loss curves): `& < > " '` become
/// entities, so the result is safe as element content and inside double- or
/// single-quoted attribute values, in HTML and in XML (SVG). Jinja's
/// `escape` filter stays in Templates: it follows markupsafe's spelling and
/// the template engine's output limits.
public enum HTMLEscape {
    public static func escape(_ text: some StringProtocol) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }
}
