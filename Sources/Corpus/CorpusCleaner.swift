/// The cleaning pipeline, one document at a time (so it streams): normalize → repair homoglyphs →
/// identify the language → quality filters → language filter → exact duplicates → near duplicates.
/// The first document of a duplicate group is kept. See docs/corpus.md "Cleaning pipeline".
public struct CorpusCleaner {
    public enum Outcome: Sendable, Equatable {
        case kept(CleanedDocument)
        case dropped(DropReason)
    }

    public let configuration: CleaningConfiguration
    public private(set) var report = CleaningReport()
    private let identifier = LanguageIdentifier()
    private let tokenCount: ((String) -> Int)?
    private var exactKeys = Set<ExactKey>()
    private let minHash: MinHash?
    private var lsh: LSHIndex?

    /// - Parameters:
    ///   - tokenizer: a name for the report; with `tokenCount` the report gets the kept text's tokens per word.
    ///   - tokenCount: the number of tokens of a text for some model (the CLI passes its tokenizer).
    public init(configuration: CleaningConfiguration = CleaningConfiguration(), tokenizer: String? = nil,
                tokenCount: ((String) -> Int)? = nil) {
        self.configuration = configuration
        self.tokenCount = tokenCount
        if let near = configuration.nearDuplicates {
            minHash = MinHash(permutations: near.bands * near.rows, shingleSize: near.shingleSize)
            lsh = LSHIndex(bands: near.bands, rows: near.rows, threshold: near.threshold, verification: near.verification)
        } else {
            minHash = nil
            lsh = nil
        }
        if tokenCount != nil {
            report.tokenizer = tokenizer ?? "custom"
            report.tokenCost = TokenizerCost()
        }
    }

    /// Cleans one document, updating the report.
    public mutating func process(_ document: Document) -> Outcome {
        report.inputDocuments += 1
        report.inputCharacters += document.text.unicodeScalars.count
        var text = configuration.normalizer.normalize(document.text)
        var replacements = 0
        if configuration.repairHomoglyphs {
            (text, replacements) = HomoglyphRepair.repair(text)
            report.homoglyphReplacements += replacements
            if replacements > 0 { report.documentsWithHomoglyphs += 1 }
        }
        let guess = identifier.identify(text)
        report.languagesAll[guess.language.rawValue, default: 0] += 1

        if let reason = configuration.quality.check(text) { return drop(reason) }
        if let langs = configuration.languages, !langs.contains(guess.language) { return drop(.language) }
        if configuration.deduplicateExact, !exactKeys.insert(ExactKey(text)).inserted { return drop(.exactDuplicate) }
        if let minHash, let verification = configuration.nearDuplicates?.verification {
            let shingles = minHash.shingles(text)
            let signature = minHash.signature(of: shingles)
            let keys = verification == .exact ? MinHash.keys(of: shingles) : []
            if lsh?.nearest(signature, keys: keys) != nil { return drop(.nearDuplicate) }
            lsh?.insert(signature, keys: keys)
        }

        report.keptDocuments += 1
        report.keptCharacters += text.unicodeScalars.count
        report.languagesKept[guess.language.rawValue, default: 0] += 1
        report.homoglyphReplacementsKept += replacements
        if let tokenCount { report.tokenCost?.add(TokenizerCost(text: text, tokenCount: tokenCount)) }
        return .kept(CleanedDocument(id: document.id, text: text, language: guess.language,
                                     languageConfidence: guess.confidence, languageScores: guess.scores,
                                     homoglyphReplacements: replacements))
    }

    private mutating func drop(_ reason: DropReason) -> Outcome {
        report.dropped[reason.rawValue, default: 0] += 1
        return .dropped(reason)
    }

    /// Counts input records a reader skipped (they are not documents).
    public mutating func recordSkippedRecords(_ count: Int) {
        report.skippedRecords += count
    }

    /// Cleans a list of documents; returns the kept ones in input order.
    public mutating func clean(_ documents: [Document]) -> [CleanedDocument] {
        documents.compactMap { if case .kept(let d) = process($0) { d } else { nil } }
    }

    /// Cleans everything a reader yields, handing each kept document to `emit`.
    public mutating func clean(_ reader: any DocumentReader, emit: (CleanedDocument) throws -> Void) throws {
        while let document = try reader.next() {
            if case .kept(let d) = process(document) { try emit(d) }
        }
        recordSkippedRecords(reader.warningCount)
    }
}

/// The exact-duplicate key: two independent 64-bit hashes of the lowercased text with all
/// whitespace runs collapsed to one space.
struct ExactKey: Hashable {
    let a: UInt64, b: UInt64

    init(_ text: String) {
        var a = StableHash.fnvOffset ^ StableHash.mix(1), b = StableHash.fnvOffset ^ StableHash.mix(2)
        var pendingSpace = false, any = false
        for s in text.unicodeScalars {
            let v = s.value
            let space = v < 0x80 ? (v == 0x20 || (v >= 0x09 && v <= 0x0D))
                : !(v >= 0x0400 && v <= 0x04FF) && s.properties.isWhitespace  // Cyrillic is never a space
            if space {
                pendingSpace = any
                continue
            }
            if pendingSpace {
                a = (a ^ 0x20) &* StableHash.fnvPrime
                b = (b ^ 0x20) &* 0x0000_0100_0000_0233
            }
            pendingSpace = false
            any = true
            UTF8.encode(CaseFold.lower(s)) { byte in
                a = (a ^ UInt64(byte)) &* StableHash.fnvPrime
                b = (b ^ UInt64(byte)) &* 0x0000_0100_0000_0233
            }
        }
        self.a = StableHash.mix(a)
        self.b = StableHash.mix(b &+ 0x5851_f42d_4c95_7f2d)
    }
}
