import Foundation

/// chrF (Popović 2015) and chrF++ (Popović 2017), written to reproduce sacrebleu 2.x `CHRF`
/// with its defaults: lowercase=False, whitespace=False, eps_smoothing=False.
///
/// Details copied from sacrebleu/metrics/chrf.py and metrics/helpers.py (2.6.0), because each
/// of them changes scores:
/// - "Characters" are Unicode scalars (Python `str` indexing), not grapheme clusters, and no
///   normalisation (NFC) is applied: the same text in NFD scores differently, as in sacrebleu.
/// - Character n-grams are taken after deleting all whitespace (`''.join(line.split())`),
///   so they do cross word boundaries.
/// - Word n-grams (chrF++) come from `str.split()` followed by `_remove_punctuation`: a token
///   longer than one scalar whose LAST scalar is ASCII punctuation is split into (rest, punct);
///   otherwise if its FIRST scalar is ASCII punctuation it is split into (punct, rest). Only one
///   side is ever split, and only `string.punctuation` counts (so « » — are not split off).
/// - Per order, the hypothesis count is reported as 0 when the reference has no n-grams of
///   that order.
/// - Scoring uses sacrebleu's "effective order": precision and recall are averaged only over
///   orders where both hypothesis and reference counts are > 0, and F-beta is taken of the
///   averages (not an average of per-order F scores).
/// - With several references, each sentence keeps the statistics of the reference with the
///   highest sentence-level score (first one on ties); corpus scores sum those statistics.
///
/// The floating-point operations are done in the same order as sacrebleu, so scores agree
/// with it bit for bit in practice.
public struct ChrF: Sendable {
    public let charOrder: Int
    public let wordOrder: Int
    public let beta: Double

    public init(charOrder: Int = 6, wordOrder: Int = 0, beta: Double = 2) {
        self.charOrder = max(0, charOrder)
        self.wordOrder = max(0, wordOrder)
        self.beta = beta
    }

    /// sacrebleu `CHRF()`: chrF2, 6 character orders.
    public static let chrF = ChrF()
    /// sacrebleu `CHRF(word_order=2)`: chrF2++, 6 character orders and 2 word orders.
    public static let chrFPlusPlus = ChrF(wordOrder: 2)

    /// Total number of orders (character then word).
    public var orders: Int { charOrder + wordOrder }

    /// Segment statistics against the best-matching reference. With no references the result
    /// is all zeros (sacrebleu would fail; a missing reference should just score 0).
    public func statistics(hypothesis: String, references: [String]) -> ChrFStatistics {
        let hypNgrams = ngrams(hypothesis)
        var best: ChrFStatistics?
        var bestScore = -1.0
        for reference in references {
            let refNgrams = ngrams(reference)
            var stats = ChrFStatistics(orders: 0)
            for (h, r) in zip(hypNgrams, refNgrams) {
                let m = Self.matchStatistics(hyp: h, ref: r)
                stats.hypothesisCounts.append(m.hyp)
                stats.referenceCounts.append(m.ref)
                stats.matchCounts.append(m.match)
            }
            let f = score(stats)
            // Strictly greater: the first reference wins ties, as in sacrebleu.
            if f > bestScore {
                bestScore = f
                best = stats
            }
        }
        return best ?? ChrFStatistics(orders: orders)
    }

    /// F-beta score (0–100) of (possibly summed) statistics; sacrebleu `_compute_f_score`
    /// without eps smoothing.
    public func score(_ s: ChrFStatistics) -> Double {
        let factor = beta * beta
        var avgPrec = 0.0
        var avgRec = 0.0
        var effectiveOrder = 0
        let n = min(s.hypothesisCounts.count, s.referenceCounts.count, s.matchCounts.count)
        for i in 0..<n {
            let nHyp = s.hypothesisCounts[i]
            let nRef = s.referenceCounts[i]
            let nMatch = s.matchCounts[i]
            // Orders that one side lacks entirely carry no information and are skipped
            // instead of being counted as zero (that is the "effective order").
            if nHyp > 0 && nRef > 0 {
                avgPrec += Double(nMatch) / Double(nHyp)
                avgRec += Double(nMatch) / Double(nRef)
                effectiveOrder += 1
            }
        }
        if effectiveOrder == 0 {
            return 0
        }
        avgPrec /= Double(effectiveOrder)
        avgRec /= Double(effectiveOrder)
        guard avgPrec + avgRec != 0 else { return 0 }
        var f = (1 + factor) * avgPrec * avgRec
        f /= (factor * avgPrec) + avgRec
        return 100 * f
    }

    public func sentenceScore(hypothesis: String, references: [String]) -> Double {
        score(statistics(hypothesis: hypothesis, references: references))
    }

    /// Corpus score: f-score of the summed per-sentence statistics.
    /// `references[i]` holds the references of sentence `i`; missing entries score as no reference.
    public func corpusScore(hypotheses: [String], references: [[String]]) -> Double {
        var total = ChrFStatistics(orders: orders)
        for (i, hypothesis) in hypotheses.enumerated() {
            let refs = i < references.count ? references[i] : []
            total += statistics(hypothesis: hypothesis, references: refs)
        }
        return score(total)
    }

    // MARK: - n-gram extraction

    /// Multiset of n-grams of one order, keyed by scalar values. Not `String` keys: Swift
    /// `String` equality is canonical equivalence, so "é" and "e\u{301}" would collide,
    /// while Python compares code points.
    typealias Counts = [[UInt32]: Int]

    /// Character n-gram counts for orders 1…charOrder, then word n-gram counts for 1…wordOrder.
    func ngrams(_ text: String) -> [Counts] {
        var result: [Counts] = []
        result.reserveCapacity(orders)
        let chars = Self.splitOnWhitespace(text).flatMap { $0 }
        for n in stride(from: 1, through: charOrder, by: 1) {
            result.append(Self.count(chars, order: n))
        }
        if wordOrder > 0 {
            let words = Self.removePunctuation(text)
            for n in 1...wordOrder {
                result.append(Self.countWords(words, order: n))
            }
        }
        return result
    }

    /// sacrebleu `_get_match_statistics`.
    static func matchStatistics(hyp: Counts, ref: Counts) -> (hyp: Int, ref: Int, match: Int) {
        var match = 0
        var hypCount = 0
        for (ngram, count) in hyp {
            hypCount += count
            if let r = ref[ngram] { match += min(count, r) }
        }
        let refCount = ref.values.reduce(0, +)
        // "Don't count hits if no reference exists for that n-gram" (sacrebleu).
        return (ref.isEmpty ? 0 : hypCount, refCount, match)
    }

    static func count(_ scalars: [UInt32], order n: Int) -> Counts {
        var counts: Counts = [:]
        guard n > 0, scalars.count >= n else { return counts }
        for i in 0...(scalars.count - n) {
            counts[Array(scalars[i..<(i + n)]), default: 0] += 1
        }
        return counts
    }

    /// Word n-grams keyed by the words joined with a space, like sacrebleu `extract_word_ngrams`
    /// (unambiguous because words contain no whitespace).
    static func countWords(_ words: [[UInt32]], order n: Int) -> Counts {
        var counts: Counts = [:]
        guard n > 0, words.count >= n else { return counts }
        for i in 0...(words.count - n) {
            counts[Array(words[i..<(i + n)].joined(separator: [0x20])), default: 0] += 1
        }
        return counts
    }

    /// Python `str.split()` with no argument: runs of `str.isspace()` scalars separate words and
    /// leading/trailing whitespace yields no empty words.
    static func splitOnWhitespace(_ text: String) -> [[UInt32]] {
        var words: [[UInt32]] = []
        var current: [UInt32] = []
        for scalar in text.unicodeScalars {
            if isPythonSpace(scalar.value) {
                if !current.isEmpty { words.append(current); current = [] }
            } else {
                current.append(scalar.value)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// The exact set for which Python's `str.isspace()` is true (bidi WS/B/S or category Zs).
    /// It differs from Unicode White_Space: it includes U+001C…U+001F.
    static func isPythonSpace(_ s: UInt32) -> Bool {
        switch s {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A,
             0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    /// Python `string.punctuation`.
    static func isASCIIPunctuation(_ s: UInt32) -> Bool {
        switch s {
        case 0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E: return true
        default: return false
        }
    }

    /// sacrebleu `CHRF._remove_punctuation` (note: `(hi)` becomes `(hi` and `)`, sacrebleu issue #124).
    static func removePunctuation(_ text: String) -> [[UInt32]] {
        var tokens: [[UInt32]] = []
        for word in splitOnWhitespace(text) {
            guard word.count > 1, let first = word.first, let last = word.last else {
                tokens.append(word)
                continue
            }
            if isASCIIPunctuation(last) {
                tokens.append(Array(word.dropLast()))
                tokens.append([last])
            } else if isASCIIPunctuation(first) {
                tokens.append([first])
                tokens.append(Array(word.dropFirst()))
            } else {
                tokens.append(word)
            }
        }
        return tokens
    }
}
