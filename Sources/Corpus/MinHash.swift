/// MinHash signatures for estimating the Jaccard similarity of two documents' shingle sets.
///
/// Shingles: lowercased word `shingleSize`-grams (words from ``WordSplitter``); documents of fewer
/// than `minWordsForWordShingles` words use character `shingleSize`-grams of their lowercased
/// words joined by single spaces instead. Each shingle is hashed once (``StableHash``); permutation
/// `i` is `mix(h ^ seed_i)`, a bijection of the 64-bit space, with seeds drawn from a SplitMix64
/// sequence started at a fixed seed, so signatures are the same on every run and machine.
/// A signature keeps the high 32 bits of each minimum (4 bytes per permutation).
public struct MinHash: Sendable {
    public let permutations: Int
    public let shingleSize: Int
    public let minWordsForWordShingles: Int
    private let seeds: [UInt64]

    public init(permutations: Int = 128, shingleSize: Int = 5, minWordsForWordShingles: Int = 20, seed: UInt64 = 0x4171_796c) {
        self.permutations = max(1, permutations)
        self.shingleSize = max(1, shingleSize)
        self.minWordsForWordShingles = minWordsForWordShingles
        var state = seed
        var seeds: [UInt64] = []
        for _ in 0..<self.permutations {
            state = state &+ 0x9e37_79b9_7f4a_7c15
            seeds.append(StableHash.mix(state))
        }
        self.seeds = seeds
    }

    /// The hashed shingles of a text (a set: duplicates removed).
    public func shingles(_ text: String) -> Set<UInt64> {
        // Words (``WordSplitter``), case-folded, each kept as its scalars and a 64-bit hash.
        var words: [(start: Int, end: Int, hash: UInt64)] = []
        var scalars: [Unicode.Scalar] = []
        var h = StableHash.fnvOffset, start = -1
        for s in text.unicodeScalars {
            if WordSplitter.isWordScalar(s) {
                if start < 0 {
                    start = scalars.count
                    h = StableHash.fnvOffset
                }
                let c = CaseFold.lower(s)
                scalars.append(c)
                UTF8.encode(c) { h = (h ^ UInt64($0)) &* StableHash.fnvPrime }
            } else if start >= 0 {
                words.append((start, scalars.count, StableHash.mix(h)))
                start = -1
            }
        }
        if start >= 0 { words.append((start, scalars.count, StableHash.mix(h))) }

        var out = Set<UInt64>()
        if words.count >= minWordsForWordShingles {
            let n = min(shingleSize, words.count)
            for i in 0...(words.count - n) {
                var k: UInt64 = 0
                for w in words[i..<(i + n)] { k = StableHash.mix(k ^ w.hash) }
                out.insert(k)
            }
        } else {
            // The words joined by single spaces, as character n-grams.
            var chars: [Unicode.Scalar] = []
            for (j, w) in words.enumerated() {
                if j > 0 { chars.append(" ") }
                chars += scalars[w.start..<w.end]
            }
            guard !chars.isEmpty else { return out }
            let n = min(shingleSize, chars.count)
            for i in 0...(chars.count - n) {
                var k: UInt64 = 0x9e37_79b9  // a different start than word shingles
                for c in chars[i..<(i + n)] { k = StableHash.mix(k ^ UInt64(c.value)) }
                out.insert(k)
            }
        }
        return out
    }

    /// The signature of a set of hashed shingles; an empty set gives all `UInt32.max`.
    public func signature(of shingles: Set<UInt64>) -> [UInt32] {
        var mins = [UInt64](repeating: .max, count: permutations)
        for h in shingles {
            for i in 0..<permutations {
                let v = StableHash.mix(h ^ seeds[i])
                if v < mins[i] { mins[i] = v }
            }
        }
        return mins.map { UInt32(truncatingIfNeeded: $0 >> 32) }
    }

    public func signature(_ text: String) -> [UInt32] { signature(of: shingles(text)) }

    /// The estimated Jaccard similarity: the share of positions where two signatures agree.
    public static func similarity(_ a: [UInt32], _ b: [UInt32]) -> Double {
        let n = min(a.count, b.count)
        guard n > 0 else { return 0 }
        var same = 0
        for i in 0..<n where a[i] == b[i] { same += 1 }
        return Double(same) / Double(n)
    }

    /// Shingles as sorted 32-bit keys (the high half of each hash), for exact verification.
    public static func keys(of shingles: Set<UInt64>) -> [UInt32] {
        var keys = shingles.map { UInt32(truncatingIfNeeded: $0 >> 32) }
        keys.sort()
        var unique: [UInt32] = []
        unique.reserveCapacity(keys.count)
        for k in keys where unique.last != k { unique.append(k) }
        return unique
    }

    /// The exact Jaccard similarity of two sorted, duplicate-free key lists (1 for two empty lists).
    public static func jaccard(sorted a: [UInt32], _ b: [UInt32]) -> Double {
        var i = 0, j = 0, common = 0
        while i < a.count && j < b.count {
            if a[i] == b[j] {
                common += 1
                i += 1
                j += 1
            } else if a[i] < b[j] {
                i += 1
            } else {
                j += 1
            }
        }
        let union = a.count + b.count - common
        return union == 0 ? 1 : Double(common) / Double(union)
    }

    /// The exact Jaccard similarity of two sets (tests, reference).
    public static func jaccard<T: Hashable>(_ a: Set<T>, _ b: Set<T>) -> Double {
        let union = a.union(b).count
        return union == 0 ? 1 : Double(a.intersection(b).count) / Double(union)
    }
}
