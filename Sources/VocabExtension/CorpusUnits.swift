import Corpus
import Tokenizers

/// The corpus as the learner needs it: each distinct merge unit (a pre-token for BPE, a
/// `▁`-word for SentencePiece) with its count, segmented by the model's current tokenizer.
public struct CorpusUnits {
    let tokenizer: any MergeUnitTokenizer
    private(set) var counts: [[UInt8]: Int] = [:]
    /// Units seen, counting repeats.
    public private(set) var total = 0

    public init(tokenizer: any MergeUnitTokenizer) { self.tokenizer = tokenizer }

    public mutating func add(_ text: String) {
        for unit in tokenizer.mergeUnits(text) {
            counts[unit, default: 0] += 1
            total += 1
        }
    }

    /// Every document of a corpus file (plain text paragraphs, JSONL `field` values or dump
    /// articles, as `aqyl corpus` reads them).
    public mutating func add(file path: String, format: InputFormat? = nil, field: String = "text",
                             onWarning: @escaping (ReaderWarning) -> Void = { _ in }) throws {
        let reader = try InputFormat.openReader(path: path, format: format, field: field, onWarning: onWarning)
        while let document = try reader.next() { add(document.text) }
    }

    public var distinct: Int { counts.count }

    /// Distinct units segmented by the current tokenizer; units with the same segmentation
    /// are counted together. Sorted by bytes, so learning does not depend on hash order.
    public func segmented() -> [VocabularyLearner.Unit] {
        var bySymbols: [[Int32]: Int] = [:]
        for (unit, count) in counts {
            let ids = tokenizer.encodeUnit(unit)
            if ids.count > 1 { bySymbols[ids, default: 0] += count }
        }
        return bySymbols.sorted { $0.key.lexicographicallyPrecedes($1.key) }
            .map { VocabularyLearner.Unit(symbols: $0.key, count: $0.value) }
    }
}
