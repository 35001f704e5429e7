import HeapModule
import GGUF

/// Byte-level BPE (`tokenizer.ggml.model = "gpt2"`), as `llm_tokenizer_bpe_session`.
///
/// Merges work on interned symbol ids instead of strings: every vocabulary entry
/// keeps its token id, and the rare merge operand or result that is not in the
/// vocabulary gets an id past the end. A merge is then a lookup of an id pair,
/// which gives llama.cpp's result (lowest rank first, ties to the leftmost pair)
/// without building strings per step.
public final class BPETokenizer: Tokenizer {
    let vocab: Vocabulary
    public let preTokenizer: PreTokenizerKind
    private let pre: PreTokenizer
    private let splitter: SpecialTokenSplitter
    /// (left symbol << 32 | right symbol) -> (rank << 32 | merged symbol)
    private let merges: [UInt64: UInt64]
    /// Symbol id of each byte's byte-level character (-1: not interned).
    private let byteSymbol: [Int32]
    /// Tokens emitted for a byte when its symbol is not a vocabulary entry: llama.cpp
    /// looks up each *encoded* byte as a one-byte token, so only bytes whose
    /// byte-level character is ASCII can produce anything.
    private let byteFallback: [[Int32]]
    private let ignoreMerges: Bool

    init(file: GGUFFile, preName: String?) throws {
        guard let kind = PreTokenizerKind(preName: preName) else {
            throw TokenizerError.unknownPreTokenizer(preName ?? "")
        }
        preTokenizer = kind
        pre = PreTokenizer(kind: kind)
        ignoreMerges = kind.ignoresMerges
        vocab = try Vocabulary(file: file, kind: .bpe, defaultAddBOS: kind == .llama3)
        splitter = SpecialTokenSplitter(vocabulary: vocab)

        guard let mv = file.metadata["tokenizer.ggml.merges"] else {
            throw TokenizerError.missingVocabulary("tokenizer.ggml.merges")
        }
        guard let mergeList = mv.array?.strings else {
            throw TokenizerError.invalidVocabulary("tokenizer.ggml.merges is not a string array")
        }
        let v = vocab
        var extra: [[UInt8]: Int32] = [:]
        func intern(_ p: UnsafeBufferPointer<UInt8>) -> Int32 {
            if let id = v.id(of: p) { return id }
            let key = Array(p)
            if let id = extra[key] { return id }
            let id = Int32(v.count + extra.count)
            extra[key] = id
            return id
        }
        var table: [UInt64: UInt64] = [:]
        table.reserveCapacity(mergeList.count)
        var joined: [UInt8] = []
        for (rank, m) in mergeList.enumerated() {
            var s = m
            s.withUTF8 { p in
                // Split at the first space after index 0 (`word.find(' ', 1)`).
                guard p.count > 1, let sp = p[1...].firstIndex(of: 0x20) else { return }
                let a = intern(UnsafeBufferPointer(rebasing: p[0..<sp]))
                let b = intern(UnsafeBufferPointer(rebasing: p[(sp + 1)...]))
                joined.removeAll(keepingCapacity: true)
                joined.append(contentsOf: p[0..<sp])
                joined.append(contentsOf: p[(sp + 1)...])
                let r = joined.withUnsafeBufferPointer { intern($0) }
                let key = UInt64(UInt32(bitPattern: a)) << 32 | UInt64(UInt32(bitPattern: b))
                if table[key] == nil {  // emplace: the first rank of a duplicate pair wins
                    table[key] = UInt64(rank) << 32 | UInt64(UInt32(bitPattern: r))
                }
            }
        }
        merges = table

        var bs = [Int32](repeating: -1, count: 256)
        var fb = [[Int32]](repeating: [], count: 256)
        for b in 0..<256 {
            let utf8 = ByteLevel.byteToUTF8[b]
            bs[b] = utf8.withUnsafeBufferPointer { p in v.id(of: p) ?? extra[Array(p)] ?? -1 }
            fb[b] = utf8.compactMap { v.table.get([$0]) }
        }
        byteSymbol = bs
        byteFallback = fb
    }

    // MARK: Tokenizer

    public var vocabularySize: Int { vocab.count }
    public var bosID: Int32? { vocab.bos }
    public var eosID: Int32? { vocab.eos }
    public var endOfGenerationIDs: Set<Int32> { vocab.eog }
    public var addsBOS: Bool { vocab.addBOS }
    public var addsEOS: Bool { vocab.addEOS }

    public func encode(_ text: String, addSpecial: Bool, parseSpecial: Bool) -> [Int32] {
        encode(Array(text.utf8), addSpecial: addSpecial, parseSpecial: parseSpecial, literal: [])
    }

    public func encode(_ text: String, addSpecial: Bool, literal: [Range<Int>]) -> [Int32] {
        encode(Array(text.utf8), addSpecial: addSpecial, parseSpecial: true, literal: literal)
    }

    public func specialTokenRanges(in text: String) -> [Range<Int>] { splitter.specialRanges(Array(text.utf8)) }

    private func encode(_ bytes: [UInt8], addSpecial: Bool, parseSpecial: Bool, literal: [Range<Int>]) -> [Int32] {
        var out: [Int32] = []
        out.reserveCapacity(bytes.count / 3 + 2)
        if addSpecial && vocab.addBOS, let bos = vocab.bos { out.append(bos) }
        var work = BPEWork()
        for fragment in splitter.split(bytes, parseSpecial: parseSpecial, literal: literal) {
            switch fragment {
            case let .token(id): out.append(id)
            case let .text(range): tokenize(bytes, range, &work, &out)
            }
        }
        if addSpecial && vocab.addEOS, let eos = vocab.eos { out.append(eos) }
        return out
    }

    public func pieceBytes(_ id: Int32, special: Bool) -> [UInt8] {
        guard vocab.isValid(id) else { return [] }
        let attr = vocab.attrs[Int(id)]
        if !special && !attr.intersection([.unknown, .control]).isEmpty { return [] }
        let text = vocab.tokens[Int(id)]
        if !attr.intersection([.unknown, .control, .userDefined]).isEmpty { return Array(text.utf8) }
        if attr.contains(.normal) { return ByteLevel.decode(text) }
        if attr.contains(.byte) { return hexByte(text).map { [$0] } ?? [] }
        return []
    }

    public func tokenText(_ id: Int32) -> String? { vocab.isValid(id) ? vocab.tokens[Int(id)] : nil }
    public func tokenID(_ text: String) -> Int32? { vocab.id(of: text) }
    public func tokenType(_ id: Int32) -> TokenType { vocab.isValid(id) ? vocab.types[Int(id)] : .undefined }

    // MARK: BPE

    private struct BPEWork {
        var cps: [UInt32] = []
        var starts: [Int] = []
        var encoded: [UInt8] = []
        var sym: [Int32] = []
        var prev: [Int32] = []
        var next: [Int32] = []
        var heap = Heap<Bigram>()
    }

    private func tokenize(_ bytes: [UInt8], _ range: Range<Int>, _ w: inout BPEWork, _ out: inout [Int32]) {
        bytes.withUnsafeBufferPointer { p in
            UTF8Util.decode(p, range, cps: &w.cps, starts: &w.starts)
            var cpIndex = 0
            for len in pre.split(w.cps) {
                let a = range.lowerBound + w.starts[cpIndex]
                let b = range.lowerBound + w.starts[cpIndex + len]
                cpIndex += len
                word(UnsafeBufferPointer(rebasing: p[a..<b]), &w, &out)
            }
        }
    }

    /// The pre-tokenizer's pieces of a code point sequence (lengths in code points).
    func preTokenize(_ cps: [UInt32]) -> [Int] { pre.split(cps) }

    /// Token ids of one pre-token (no pre-tokenization, no special tokens).
    func encodeWord(_ bytes: [UInt8]) -> [Int32] {
        var work = BPEWork()
        var out: [Int32] = []
        bytes.withUnsafeBufferPointer { word($0, &work, &out) }
        return out
    }

    private func word(_ p: UnsafeBufferPointer<UInt8>, _ w: inout BPEWork, _ out: inout [Int32]) {
        let n = p.count
        if n == 0 { return }
        if ignoreMerges {
            w.encoded.removeAll(keepingCapacity: true)
            for b in p { w.encoded += ByteLevel.byteToUTF8[Int(b)] }
            if let id = w.encoded.withUnsafeBufferPointer({ vocab.id(of: $0) }) {
                out.append(id)
                return
            }
        }
        w.sym.removeAll(keepingCapacity: true)
        w.prev.removeAll(keepingCapacity: true)
        w.next.removeAll(keepingCapacity: true)
        for i in 0..<n {
            w.sym.append(byteSymbol[Int(p[i])])
            w.prev.append(Int32(i - 1))
            w.next.append(i + 1 < n ? Int32(i + 1) : -1)
        }
        w.heap = Heap()
        for i in 1..<max(n, 1) { addBigram(Int32(i - 1), Int32(i), &w) }
        while let bg = w.heap.popMin() {
            let l = Int(bg.left), r = Int(bg.right)
            // Stale entry: one side was merged away or changed since it was queued.
            if w.sym[l] != bg.leftSym || w.sym[r] != bg.rightSym || w.next[l] != bg.right { continue }
            w.sym[l] = bg.result
            w.sym[r] = -2  // dead
            w.next[l] = w.next[r]
            if w.next[r] >= 0 { w.prev[Int(w.next[r])] = bg.left }
            addBigram(w.prev[l], bg.left, &w)
            addBigram(bg.left, w.next[l], &w)
        }
        var i: Int32 = 0
        let nv = Int32(vocab.count)
        var start = 0
        while i >= 0 {
            let ii = Int(i)
            let end = w.next[ii] >= 0 ? Int(w.next[ii]) : n
            let s = w.sym[ii]
            if s >= 0 && s < nv {
                out.append(s)
            } else {
                for k in start..<end { out += byteFallback[Int(p[k])] }
            }
            start = end
            i = w.next[ii]
        }
    }

    @inline(__always) private func addBigram(_ left: Int32, _ right: Int32, _ w: inout BPEWork) {
        if left < 0 || right < 0 { return }
        let a = w.sym[Int(left)], b = w.sym[Int(right)]
        if a < 0 || b < 0 { return }
        let key = UInt64(UInt32(bitPattern: a)) << 32 | UInt64(UInt32(bitPattern: b))
        guard let m = merges[key] else { return }
        w.heap.insert(Bigram(rank: Int32(truncatingIfNeeded: m >> 32), left: left, right: right,
                           leftSym: a, rightSym: b, result: Int32(truncatingIfNeeded: m & 0xFFFF_FFFF)))
    }
}

/// A queued merge candidate.
struct Bigram {
    var rank: Int32
    var left: Int32
    var right: Int32
    var leftSym: Int32
    var rightSym: Int32
    var result: Int32
}

/// The lowest rank merges first; ties go to the leftmost pair (a min-heap order).
extension Bigram: Comparable {
    static func < (a: Bigram, b: Bigram) -> Bool {
        a.rank != b.rank ? a.rank < b.rank : a.left < b.left
    }

    static func == (a: Bigram, b: Bigram) -> Bool { a.rank == b.rank && a.left == b.left }
}

/// Byte value of a `<0xNN>` token (llama.cpp `token_to_byte`: hex digits at 3..<5).
func hexByte(_ text: String) -> UInt8? {
    let u = Array(text.utf8)
    guard u.count >= 5 else { return nil }
    return UInt8(String(decoding: u[3..<5], as: UTF8.self), radix: 16)
}
