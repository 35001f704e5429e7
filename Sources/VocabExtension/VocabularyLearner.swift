import HeapModule

/// Learns new tokens on top of an existing vocabulary, the way BPE training continues:
/// start from the corpus as the current tokenizer segments it, repeatedly merge the most
/// frequent adjacent pair of tokens everywhere it occurs, and record each merge as a new
/// token. Because the new merges rank after every existing one, the existing tokenizer's
/// segmentation is what they start from at encoding time too.
///
/// Pair counts are kept incrementally (only the units containing the merged pair are
/// recounted), so learning thousands of tokens over a few hundred thousand distinct
/// words takes seconds. Ties between equally frequent pairs go to the smaller ids, so the
/// result is deterministic.
public struct VocabularyLearner {
    /// The corpus as distinct units (symbol sequences) with their counts.
    public struct Unit: Sendable {
        public var symbols: [Int32]
        public var count: Int
        public init(symbols: [Int32], count: Int) {
            self.symbols = symbols
            self.count = count
        }
    }

    /// The base vocabulary as the learner sees it.
    public struct Base {
        /// Number of tokens; new ids start here.
        public var size: Int
        /// The vocabulary string of a base token.
        public var text: (Int32) -> String
        /// Whether a base token may take part in a merge (normal text tokens only: not
        /// control, user-defined, byte-fallback or unused tokens).
        public var mergeable: (Int32) -> Bool
        /// Whether a string is already a base vocabulary entry.
        public var contains: (String) -> Bool

        public init(size: Int, text: @escaping (Int32) -> String, mergeable: @escaping (Int32) -> Bool,
                    contains: @escaping (String) -> Bool) {
            self.size = size
            self.text = text
            self.mergeable = mergeable
            self.contains = contains
        }
    }

    /// Longest vocabulary string a learned token may have, in UTF-8 bytes (a guard against
    /// one repeated long unit becoming a token).
    public static let maxTokenBytes = 96

    /// Learns up to `count` tokens whose pairs occur at least `minFrequency` times.
    public static func learn(units: [Unit], base: Base, count: Int, minFrequency: Int) -> [LearnedToken] {
        var state = State(units: units, base: base)
        var learned: [LearnedToken] = []
        learned.reserveCapacity(count)
        var texts = Set<String>()
        while learned.count < count, let best = state.heap.popMax() {
            guard state.counts[best.key] == best.count else { continue }  // stale entry
            if best.count < minFrequency { break }
            let (a, b) = Pair.split(best.key)
            let text = state.text(a) + state.text(b)
            if base.contains(text) || texts.contains(text) || text.utf8.count > maxTokenBytes {
                state.counts[best.key] = nil  // never learnable; drop it for good
                continue
            }
            let id = Int32(base.size + learned.count)
            state.addToken(text: text, pieces: state.pieces(a) + state.pieces(b))
            state.merge(best.key, into: id)
            texts.insert(text)
            learned.append(LearnedToken(id: id, text: text, left: a, right: b, pieces: state.pieces(id), frequency: best.count))
        }
        return learned
    }

    /// A pair of symbols as one key.
    enum Pair {
        static func key(_ a: Int32, _ b: Int32) -> UInt64 { UInt64(UInt32(bitPattern: a)) << 32 | UInt64(UInt32(bitPattern: b)) }
        static func split(_ k: UInt64) -> (Int32, Int32) {
            (Int32(bitPattern: UInt32(truncatingIfNeeded: k >> 32)), Int32(bitPattern: UInt32(truncatingIfNeeded: k)))
        }
    }

    /// A queued pair count; the heap's max is the most frequent pair, ties to the smaller key.
    struct Candidate: Comparable {
        var count: Int
        var key: UInt64
        static func < (x: Candidate, y: Candidate) -> Bool { x.count != y.count ? x.count < y.count : x.key > y.key }
    }

    struct State {
        let base: Base
        var words: [[Int32]]
        let weights: [Int]
        var counts: [UInt64: Int] = [:]
        /// Units that contain the pair (may hold units that no longer do; checked on use).
        var holders: [UInt64: [Int32]] = [:]
        var heap = Heap<Candidate>()
        var newTexts: [String] = []
        var newPieces: [[Int32]] = []

        init(units: [Unit], base: Base) {
            self.base = base
            words = units.map(\.symbols)
            weights = units.map(\.count)
            for (w, unit) in units.enumerated() where unit.count > 0 {
                for key in Self.pairs(unit.symbols, base) {
                    counts[key, default: 0] += unit.count
                    if holders[key]?.last != Int32(w) { holders[key, default: []].append(Int32(w)) }
                }
            }
            heap = Heap(counts.map { Candidate(count: $0.value, key: $0.key) })
        }

        func text(_ id: Int32) -> String { Int(id) < base.size ? base.text(id) : newTexts[Int(id) - base.size] }
        func pieces(_ id: Int32) -> [Int32] { Int(id) < base.size ? [id] : newPieces[Int(id) - base.size] }

        mutating func addToken(text: String, pieces: [Int32]) {
            newTexts.append(text)
            newPieces.append(pieces)
        }

        /// The adjacent pairs of `s` that may merge (new tokens always may).
        static func pairs(_ s: [Int32], _ base: Base) -> [UInt64] {
            guard s.count > 1 else { return [] }
            func mergeable(_ id: Int32) -> Bool { Int(id) >= base.size || base.mergeable(id) }
            return (1..<s.count).compactMap { i in
                mergeable(s[i - 1]) && mergeable(s[i]) ? Pair.key(s[i - 1], s[i]) : nil
            }
        }

        /// Replaces every occurrence of `key` (left to right, not overlapping) by `id` and
        /// updates the counts of the pairs around it.
        mutating func merge(_ key: UInt64, into id: Int32) {
            let (a, b) = Pair.split(key)
            var changed: Set<UInt64> = []
            var seen = Set<Int32>()
            for w in holders[key] ?? [] where seen.insert(w).inserted {
                let old = words[Int(w)]
                guard old.count > 1 else { continue }
                var merged: [Int32] = []
                merged.reserveCapacity(old.count)
                var i = 0
                var hit = false
                while i < old.count {
                    if i + 1 < old.count && old[i] == a && old[i + 1] == b {
                        merged.append(id)
                        i += 2
                        hit = true
                    } else {
                        merged.append(old[i])
                        i += 1
                    }
                }
                guard hit else { continue }
                let weight = weights[Int(w)]
                for k in Self.pairs(old, base) {
                    counts[k, default: 0] -= weight
                    changed.insert(k)
                }
                for k in Self.pairs(merged, base) {
                    counts[k, default: 0] += weight
                    changed.insert(k)
                    if holders[k]?.last != w { holders[k, default: []].append(w) }
                }
                words[Int(w)] = merged
            }
            counts[key] = nil
            holders[key] = nil
            for k in changed where k != key {
                guard let c = counts[k] else { continue }
                if c <= 0 {
                    counts[k] = nil
                    holders[k] = nil
                } else {
                    heap.insert(Candidate(count: c, key: k))
                }
            }
        }
    }
}
