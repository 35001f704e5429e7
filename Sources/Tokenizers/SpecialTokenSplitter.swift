/// A piece of input after special-token partitioning: either raw text (a byte
/// range of the input) or a special token matched literally.
enum Fragment: Equatable, Sendable {
    case text(Range<Int>)
    case token(Int32)
}

/// `tokenizer_st_partition`: CONTROL, USER_DEFINED and UNKNOWN tokens, longest
/// first, split the text at their literal occurrences before any tokenization.
/// With `parseSpecial == false`, CONTROL and UNKNOWN tokens are skipped but
/// USER_DEFINED ones still match.
///
/// The order matters (a longer token claims its occurrences before a shorter one
/// that overlaps them), so we run exactly llama.cpp's token-by-token loop, but only
/// over the few special tokens that actually occur in the text: a byte trie finds
/// those in one pass, which keeps Gemma's thousands of special tokens cheap.
struct SpecialTokenSplitter: Sendable {
    private let ordered: [Int32]          // special ids, longest first
    private let texts: [[UInt8]]          // parallel to `ordered`
    private let isControlOrUnknown: [Bool]
    private let endNode: [Int32]          // trie node where each text ends
    private var children: [UInt64: Int32] = [:]   // (node << 8 | byte) -> child
    private var terminal: [Bool] = [false]
    private var startsSpecial = [Bool](repeating: false, count: 256)

    init(vocabulary v: Vocabulary) {
        ordered = v.specialTokens
        texts = ordered.map { Array(v.tokens[Int($0)].utf8) }
        isControlOrUnknown = ordered.map { !v.attr($0).intersection([.control, .unknown]).isEmpty }
        var ends: [Int32] = []
        ends.reserveCapacity(ordered.count)
        for t in texts {
            var node: Int32 = 0
            for b in t {
                let key = UInt64(node) << 8 | UInt64(b)
                if let c = children[key] {
                    node = c
                } else {
                    let c = Int32(terminal.count)
                    terminal.append(false)
                    children[key] = c
                    node = c
                }
            }
            terminal[Int(node)] = true
            ends.append(node)
            if let f = t.first { startsSpecial[Int(f)] = true }
        }
        endNode = ends
    }

    var isEmpty: Bool { ordered.isEmpty }

    /// - Parameter literal: byte ranges, sorted and disjoint, in which no CONTROL or UNKNOWN
    ///   token is recognized: such a match that overlaps one stays text (message contents in a
    ///   rendered chat), as if that part were encoded with `parseSpecial == false`.
    func split(_ bytes: [UInt8], parseSpecial: Bool, literal: [Range<Int>] = []) -> [Fragment] {
        if bytes.isEmpty { return [] }
        var fragments: [Fragment] = [.text(0..<bytes.count)]
        if ordered.isEmpty { return fragments }

        // Pass 1: which special texts occur anywhere?
        var present = Set<Int32>()
        bytes.withUnsafeBufferPointer { p in
            for start in 0..<p.count where startsSpecial[Int(p[start])] {
                var node: Int32 = 0
                var i = start
                while i < p.count, let c = children[UInt64(node) << 8 | UInt64(p[i])] {
                    node = c
                    if terminal[Int(c)] { present.insert(c) }
                    i += 1
                }
            }
        }
        if present.isEmpty { return fragments }

        // Pass 2: llama.cpp's partition loop, restricted to the present tokens.
        for k in 0..<ordered.count where present.contains(endNode[k]) {
            if !parseSpecial && isControlOrUnknown[k] { continue }
            let pattern = texts[k]
            var next: [Fragment] = []
            next.reserveCapacity(fragments.count + 2)
            for f in fragments {
                guard case let .text(range) = f else { next.append(f); continue }
                var from = range.lowerBound
                var search = from
                while let m = Self.find(pattern, in: bytes, from: search, to: range.upperBound) {
                    // In literal ranges only CONTROL and UNKNOWN tokens stay text, exactly as
                    // with parseSpecial == false: USER_DEFINED ones (Gemma's runs of spaces and
                    // newlines) still match, or code in a message would tokenize unlike llama.cpp.
                    if isControlOrUnknown[k] && Self.overlaps(m..<(m + pattern.count), literal) {
                        search = m + 1
                        continue
                    }
                    if m > from { next.append(.text(from..<m)) }
                    next.append(.token(ordered[k]))
                    from = m + pattern.count
                    search = from
                }
                if from < range.upperBound { next.append(.text(from..<range.upperBound)) }
            }
            fragments = next
        }
        return fragments
    }

    /// The byte ranges that `split(parseSpecial: true)` turns into special tokens.
    func specialRanges(_ bytes: [UInt8]) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var offset = 0
        for fragment in split(bytes, parseSpecial: true) {
            switch fragment {
            case let .text(range):
                offset = range.upperBound
            case let .token(id):
                guard let k = ordered.firstIndex(of: id) else { continue }
                out.append(offset..<(offset + texts[k].count))
                offset += texts[k].count
            }
        }
        return out
    }

    /// Whether `range` overlaps any of the sorted, disjoint `ranges` (binary search).
    static func overlaps(_ range: Range<Int>, _ ranges: [Range<Int>]) -> Bool {
        var lo = 0, hi = ranges.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if ranges[mid].upperBound <= range.lowerBound { lo = mid + 1 } else { hi = mid }
        }
        return lo < ranges.count && ranges[lo].lowerBound < range.upperBound
    }

    /// First occurrence of `pattern` in `bytes[from..<to]`.
    private static func find(_ pattern: [UInt8], in bytes: [UInt8], from: Int, to: Int) -> Int? {
        let m = pattern.count
        guard m > 0, to - from >= m, let first = pattern.first else { return nil }
        var i = from
        let last = to - m
        while i <= last {
            if bytes[i] == first {
                var j = 1
                while j < m && bytes[i + j] == pattern[j] { j += 1 }
                if j == m { return i }
            }
            i += 1
        }
        return nil
    }
}
