/// The cleaner's settings. Defaults are those documented in docs/corpus.md.
public struct CleaningConfiguration: Sendable {
    public var normalizer: TextNormalizer
    public var quality: QualityFilter
    /// Languages kept; nil keeps all.
    public var languages: Set<Language>?
    /// Whether Latin homoglyphs in Cyrillic words are repaired.
    public var repairHomoglyphs: Bool
    public var deduplicateExact: Bool
    /// Near-duplicate removal; nil turns it off.
    public var nearDuplicates: NearDuplicateSettings?

    public init(normalizer: TextNormalizer = TextNormalizer(), quality: QualityFilter = QualityFilter(),
                languages: Set<Language>? = nil, repairHomoglyphs: Bool = true, deduplicateExact: Bool = true,
                nearDuplicates: NearDuplicateSettings? = NearDuplicateSettings()) {
        self.normalizer = normalizer
        self.quality = quality
        self.languages = languages
        self.repairHomoglyphs = repairHomoglyphs
        self.deduplicateExact = deduplicateExact
        self.nearDuplicates = nearDuplicates
    }

    /// Parses a `--langs` list such as `kk,ru` (case-insensitive, spaces allowed).
    /// - Throws: ``CorpusError/unknownLanguage(_:)`` for a label that is not a ``Language``.
    public static func parseLanguages(_ list: String) throws -> Set<Language> {
        var out = Set<Language>()
        for part in list.split(separator: ",") {
            let name = String(part).trimmingSpaces.lowercased()
            if name.isEmpty { continue }
            guard let lang = Language(rawValue: name) else { throw CorpusError.unknownLanguage(name) }
            out.insert(lang)
        }
        guard !out.isEmpty else { throw CorpusError.unknownLanguage(list) }
        return out
    }
}

/// MinHash/LSH parameters: `bands × rows` permutations over word `shingleSize`-grams; LSH candidates
/// are verified exactly over stored shingle keys (default) or by the signature estimate.
public struct NearDuplicateSettings: Sendable, Equatable {
    public var bands: Int
    public var rows: Int
    public var shingleSize: Int
    public var threshold: Double
    public var verification: LSHIndex.Verification

    public init(bands: Int = 16, rows: Int = 8, shingleSize: Int = 5, threshold: Double = 0.8,
                verification: LSHIndex.Verification = .exact) {
        self.bands = bands
        self.rows = rows
        self.shingleSize = shingleSize
        self.threshold = threshold
        self.verification = verification
    }
}
