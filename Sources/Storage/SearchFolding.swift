/// The one case folding used both when storing searchable text and when searching it.
///
/// Done in Swift because SQLite's `lower()` and `LIKE` only fold ASCII letters; Swift's
/// `lowercased()` folds every script (Қ→қ, Ә→ә, Ж→ж) without depending on a locale.
public enum SearchFolding {
    public static func fold(_ text: String) -> String { text.lowercased() }
}
