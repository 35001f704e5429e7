import HeapModule
import GGUF

/// SentencePiece-style BPE (`tokenizer.ggml.model = "llama"`, used by Gemma 3), as
/// `llm_tokenizer_spm_session`: spaces become `▁`, then adjacent symbols whose
/// concatenation is a vocabulary entry merge in order of that entry's score
/// (highest first, ties to the leftmost), and leftovers fall back to `<0xNN>` bytes.
public final class SentencePieceTokenizer: Tokenizer {
    let vocab: Vocabulary
    private let splitter: SpecialTokenSplitter
    /// `tokenizer.ggml.add_space_prefix` (default true; the Gemma 3 converter writes false).
    public let addsSpacePrefix: Bool
    /// Token for each byte in fallback: `<0xNN>`, else the byte itself as a token, else none.
    private let byteTokens: [Int32?]

    init(file: GGUFFile) throws {
        vocab = try Vocabulary(file: file, kind: .spm, defaultAddBOS: true)
        splitter = SpecialTokenSplitter(vocabulary: vocab)
        addsSpacePrefix = file.metadata["tokenizer.ggml.add_space_prefix"]?.bool ?? true
        let v = vocab
        let hex = Array("0123456789ABCDEF".utf8)
        byteTokens = (0..<256).map { b in
            let name: [UInt8] = [0x3C, 0x30, 0x78, hex[b >> 4], hex[b & 15], 0x3E]  // "<0xNN>"
            return v.table.get(name) ?? v.table.get([UInt8(b)])
        }
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
        out.reserveCapacity(bytes.count / 2 + 2)
        if addSpecial && vocab.addBOS, let bos = vocab.bos { out.append(bos) }
        var prevSpecial = true  // the start counts as "after a special token"
        var work = SPMWork()
        for fragment in splitter.split(bytes, parseSpecial: parseSpecial, literal: literal) {
            switch fragment {
            case let .token(id):
                out.append(id)
                prevSpecial = true
            case let .text(range):
                work.text.removeAll(keepingCapacity: true)
                Self.escape(bytes[range], spacePrefix: addsSpacePrefix && prevSpecial, into: &work.text)
                tokenize(&work, &out)
                prevSpecial = false
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
        if attr.contains(.normal) {
            // '▁' (E2 96 81) -> ' '
            var out: [UInt8] = []
            let u = Array(text.utf8)
            out.reserveCapacity(u.count)
            var i = 0
            while i < u.count {
                if i + 2 < u.count && u[i] == 0xE2 && u[i + 1] == 0x96 && u[i + 2] == 0x81 {
                    out.append(0x20); i += 3
                } else {
                    out.append(u[i]); i += 1
                }
            }
            return out
        }
        if attr.contains(.byte) { return hexByte(text).map { [$0] } ?? [] }
        return []
    }

    public func tokenText(_ id: Int32) -> String? { vocab.isValid(id) ? vocab.tokens[Int(id)] : nil }
    public func tokenID(_ text: String) -> Int32? { vocab.id(of: text) }
    public func tokenType(_ id: Int32) -> TokenType { vocab.isValid(id) ? vocab.types[Int(id)] : .undefined }

    /// ' ' -> '▁', with a leading '▁' when `spacePrefix`.
    static func escape(_ bytes: ArraySlice<UInt8>, spacePrefix: Bool, into text: inout [UInt8]) {
        if spacePrefix { text += [0xE2, 0x96, 0x81] }
        for b in bytes {
            if b == 0x20 { text += [0xE2, 0x96, 0x81] } else { text.append(b) }
        }
    }

    func escape(_ bytes: [UInt8], spacePrefix: Bool) -> [UInt8] {
        var text: [UInt8] = []
        Self.escape(bytes[...], spacePrefix: spacePrefix, into: &text)
        return text
    }

    /// Token ids of already escaped text (no special tokens, no prefix added).
    func encodeEscaped(_ escaped: [UInt8]) -> [Int32] {
        var work = SPMWork()
        work.text = escaped
        var out: [Int32] = []
        tokenize(&work, &out)
        return out
    }

    // MARK: SPM merging

    private struct SPMWork {
        var text: [UInt8] = []
        var start: [Int32] = []
        var len: [Int32] = []
        var prev: [Int32] = []
        var next: [Int32] = []
        var heap = Heap<ScoredBigram>()
    }

    private func tokenize(_ w: inout SPMWork, _ out: inout [Int32]) {
        let total = w.text.count
        if total == 0 { return }
        w.start.removeAll(keepingCapacity: true)
        w.len.removeAll(keepingCapacity: true)
        w.prev.removeAll(keepingCapacity: true)
        w.next.removeAll(keepingCapacity: true)
        w.heap = Heap()
        var offs = 0
        var index: Int32 = 0
        while offs < total {
            let n = min(UTF8Util.sequenceLength(w.text[offs]), total - offs)
            w.start.append(Int32(offs))
            w.len.append(Int32(n))
            w.prev.append(index - 1)
            offs += n
            w.next.append(offs == total ? -1 : index + 1)
            index += 1
        }
        let text = w.text
        text.withUnsafeBufferPointer { p in
            for i in 1..<max(w.start.count, 1) { tryAdd(Int32(i - 1), Int32(i), p, &w) }
            while let bg = w.heap.popMin() {
                let l = Int(bg.left), r = Int(bg.right)
                if w.len[l] == 0 || w.len[r] == 0 || w.len[l] + w.len[r] != bg.size { continue }
                w.len[l] += w.len[r]
                w.len[r] = 0
                w.next[l] = w.next[r]
                if w.next[r] >= 0 { w.prev[Int(w.next[r])] = bg.left }
                tryAdd(w.prev[l], bg.left, p, &w)
                tryAdd(bg.left, w.next[l], p, &w)
            }
            var i: Int32 = 0
            while i >= 0 {
                let ii = Int(i)
                let s = Int(w.start[ii]), n = Int(w.len[ii])
                if let id = vocab.id(of: UnsafeBufferPointer(rebasing: p[s..<(s + n)])) {
                    out.append(id)
                } else {
                    // Merged symbols are always vocabulary entries, so only single
                    // characters get here: emit their bytes.
                    for k in s..<(s + n) { if let t = byteTokens[Int(p[k])] { out.append(t) } }
                }
                i = w.next[ii]
            }
        }
    }

    @inline(__always)
    private func tryAdd(_ left: Int32, _ right: Int32, _ p: UnsafeBufferPointer<UInt8>, _ w: inout SPMWork) {
        if left < 0 || right < 0 { return }
        let s = Int(w.start[Int(left)])
        let size = w.len[Int(left)] + w.len[Int(right)]
        guard let id = vocab.id(of: UnsafeBufferPointer(rebasing: p[s..<(s + Int(size))])) else { return }
        w.heap.insert(ScoredBigram(score: vocab.scores[Int(id)], left: left, right: right, size: size))
    }
}

struct ScoredBigram {
    var score: Float
    var left: Int32
    var right: Int32
    var size: Int32
}

/// Higher scores merge first; ties go to the leftmost pair
/// (llama.cpp `llm_bigram_spm::comparator`), so "<" means "comes first".
extension ScoredBigram: Comparable {
    static func < (a: ScoredBigram, b: ScoredBigram) -> Bool {
        a.score != b.score ? a.score > b.score : a.left < b.left
    }

    static func == (a: ScoredBigram, b: ScoredBigram) -> Bool { a.score == b.score && a.left == b.left }
}
