
/// Text put into the stats page's HTML and inline SVG.
///
/// Everything that is not a literal in this folder goes through ``HTMLText/escape(_:)``:
/// model names come from the server's configuration and the host from the request,
/// and neither is trusted to be markup. The same escaping serves element content and
/// double- or single-quoted attribute values, because it escapes both quote kinds.
public enum HTMLText {
    public static func escape(_ text: some StringProtocol) -> String { HTMLEscape.escape(text) }

    /// `text` cut to `limit` characters with an ellipsis, for labels in a fixed-width column.
    public static func truncated(_ text: String, to limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(max(limit - 1, 1))) + "…"
    }

    /// `text` as one single-quoted POSIX shell word, so a copied command means what it shows.
    public static func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }
}
