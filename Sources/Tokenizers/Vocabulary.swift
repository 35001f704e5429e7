import GGUF

/// llama.h `llama_token_attr` bits. llama.cpp derives these from the GGUF token
/// types and then adjusts them by token text (see `Vocabulary.applyTextHeuristics`);
/// encoding and decoding decisions are made on these bits, not on the raw type.
struct TokenAttr: OptionSet, Sendable {
    let rawValue: UInt16
    static let unknown = TokenAttr(rawValue: 1 << 0)
    static let unused = TokenAttr(rawValue: 1 << 1)
    static let normal = TokenAttr(rawValue: 1 << 2)
    static let control = TokenAttr(rawValue: 1 << 3)
    static let userDefined = TokenAttr(rawValue: 1 << 4)
    static let byte = TokenAttr(rawValue: 1 << 5)

    init(rawValue: UInt16) { self.rawValue = rawValue }

    init(type: TokenType) {
        switch type {
        case .unknown: self = .unknown
        case .unused: self = .unused
        case .normal: self = .normal
        case .control: self = .control
        case .userDefined: self = .userDefined
        case .byte: self = .byte
        case .undefined: self = []
        }
    }
}

/// Which family a vocabulary belongs to; decides defaults and piece decoding.
enum VocabularyKind: Sendable { case bpe, spm }

/// Token strings, scores, attributes and special ids of one GGUF vocabulary,
/// loaded the way `llama_vocab::impl::load` does.
struct Vocabulary: Sendable {
    let kind: VocabularyKind
    let tokens: [String]
    let scores: [Float]
    private(set) var attrs: [TokenAttr]
    private(set) var types: [TokenType]
    let table: ByteStringTable

    private(set) var bos: Int32?
    private(set) var eos: Int32?
    private(set) var eot: Int32?
    private(set) var eom: Int32?
    private(set) var unk: Int32?
    private(set) var eog: Set<Int32> = []
    var addBOS: Bool
    var addEOS: Bool
    /// CONTROL, USER_DEFINED and UNKNOWN tokens, longest text first (ties by id).
    private(set) var specialTokens: [Int32] = []

    var count: Int { tokens.count }

    init(file: GGUFFile, kind: VocabularyKind, defaultAddBOS: Bool) throws {
        self.kind = kind
        let md = file.metadata
        guard let list = md["tokenizer.ggml.tokens"] else {
            throw TokenizerError.missingVocabulary("tokenizer.ggml.tokens")
        }
        guard var toks = list.array?.strings else {
            throw TokenizerError.invalidVocabulary("tokenizer.ggml.tokens is not a string array")
        }
        let n = toks.count
        if n == 0 { throw TokenizerError.invalidVocabulary("tokenizer.ggml.tokens is empty") }
        if n >= Int(Int32.max) { throw TokenizerError.invalidVocabulary("vocabulary too large") }

        // Scores: float or int arrays; absent -> 0 (llama.cpp does the same).
        if let s = md["tokenizer.ggml.scores"] {
            guard let arr = s.array else { throw TokenizerError.invalidVocabulary("tokenizer.ggml.scores is not an array") }
            let values: [Float]
            if let f = arr.floats { values = f } else if let i = arr.integers { values = i.map { Float($0) } } else {
                throw TokenizerError.invalidVocabulary("tokenizer.ggml.scores has a non-numeric type")
            }
            if values.count < n { throw TokenizerError.invalidVocabulary("fewer scores (\(values.count)) than tokens (\(n))") }
            scores = values.count == n ? values : Array(values[0..<n])
        } else {
            scores = [Float](repeating: 0, count: n)
        }

        var tys = [TokenType](repeating: .normal, count: n)
        var ats = [TokenAttr](repeating: .normal, count: n)
        if let t = md["tokenizer.ggml.token_type"] {
            guard let ints = t.array?.integers else { throw TokenizerError.invalidVocabulary("tokenizer.ggml.token_type is not an integer array") }
            if ints.count < n { throw TokenizerError.invalidVocabulary("fewer token types (\(ints.count)) than tokens (\(n))") }
            for i in 0..<n {
                let ty = TokenType(rawValue: Int32(truncatingIfNeeded: ints[i])) ?? .undefined
                tys[i] = ty
                ats[i] = TokenAttr(type: ty)
            }
        }

        var totalBytes = 0
        for i in 0..<n {
            // llama.cpp renames empty tokens so every id keeps a distinct key.
            if toks[i].isEmpty { toks[i] = "[EMPTY_\(i)]" }
            totalBytes += toks[i].utf8.count
        }
        var tbl = ByteStringTable(expectedCount: n, expectedBytes: totalBytes)
        for i in 0..<n {
            var s = toks[i]
            s.withUTF8 { tbl.set($0, Int32(i)) }
        }
        tokens = toks
        table = tbl
        types = tys
        attrs = ats

        // Defaults per family (llama-vocab.cpp load), then metadata overrides.
        func inRange(_ v: Int32?) -> Int32? {
            guard let v, v >= 0, Int(v) < n else { return nil }
            return v
        }
        switch kind {
        case .spm:
            bos = inRange(1); eos = inRange(2); unk = inRange(0)
        case .bpe:
            bos = inRange(11); eos = inRange(11); unk = nil
        }
        func key(_ name: String, _ current: Int32?) -> Int32? {
            guard let v = md["tokenizer.ggml.\(name)"]?.int else { return current }
            // An out-of-range id keeps the default, as llama.cpp does.
            guard v >= 0, v < n else { return current }
            return Int32(v)
        }
        bos = key("bos_token_id", bos)
        eos = key("eos_token_id", eos)
        eot = key("eot_token_id", nil)
        eom = key("eom_token_id", nil)
        unk = key("unknown_token_id", unk)
        let fimPad = key("fim_pad_token_id", nil)
        let fimRep = key("fim_rep_token_id", nil)
        let fimSep = key("fim_sep_token_id", nil)

        addBOS = md["tokenizer.ggml.add_bos_token"]?.bool ?? defaultAddBOS
        addEOS = md["tokenizer.ggml.add_eos_token"]?.bool ?? false

        applyTextHeuristics(fimPad: fimPad, fimRep: fimRep, fimSep: fimSep)

        var special: [Int32] = []
        let specialMask: TokenAttr = [.control, .userDefined, .unknown]
        for i in 0..<n where !attrs[i].intersection(specialMask).isEmpty { special.append(Int32(i)) }
        // llama.cpp sorts by length only (std::sort, unstable); ties by id here.
        let lengths = tokens.map { $0.utf8.count }
        special.sort { a, b in
            let la = lengths[Int(a)], lb = lengths[Int(b)]
            return la != lb ? la > lb : a < b
        }
        specialTokens = special
    }

    /// Text-based fix-ups from `llama_vocab::impl::load`: EOT/EOM/FIM tokens found by
    /// their text become CONTROL, and the end-of-generation set is collected.
    private mutating func applyTextHeuristics(fimPad: Int32?, fimRep: Int32?, fimSep: Int32?) {
        func ids(_ texts: [String]) -> [Int32] { texts.compactMap { table.get(Array($0.utf8)) } }
        func markControl(_ id: Int32) {
            let i = Int(id)
            if !attrs[i].contains(.control) {
                attrs[i].insert(.control)
                types[i] = .control
            }
        }
        let eotTexts = ["<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>",
                        "<EOT>", "_<EOT>", "[EOT]", "<｜end▁of▁sentence｜>", "<end_of_utterance>"]
        if eot == nil, let first = ids(eotTexts).first { eot = first; markControl(first) }
        if eom == nil, let first = ids(["<|eom_id|>"]).first { eom = first; markControl(first) }

        let fimTexts: [[String]] = [
            ["<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<｜fim▁begin｜>", "<PRE>", "▁<PRE>", "<|code_prefix|>", "<|prefix|>"],
            ["<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<｜fim▁hole｜>", "<SUF>", "▁<SUF>", "<|code_suffix|>", "<|suffix|>"],
            ["<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<｜fim▁end｜>", "<MID>", "▁<MID>", "<|code_middle|>", "<|middle|>"],
            ["<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]"],
            ["<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>"],
            ["<|file_sep|>"],
        ]
        var pad = fimPad, rep = fimRep, sep = fimSep
        for (k, texts) in fimTexts.enumerated() {
            let found = ids(texts)
            for id in found { markControl(id) }
            if let first = found.first {
                if k == 3, pad == nil { pad = first }
                if k == 4, rep == nil { rep = first }
                if k == 5, sep == nil { sep = first }
            }
        }

        var eogSet = Set<Int32>()
        for id in [pad, rep, sep] { if let id { eogSet.insert(id) } }
        let eogTexts = ["<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>",
                        "<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]",
                        "<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>",
                        "<｜end▁of▁sentence｜>", "[e~["]
        for id in ids(eogTexts) {
            eogSet.insert(id)
            markControl(id)
        }
        // gpt-oss: these structural tokens are always rendered.
        for id in ids(["<|channel|>", "<|message|>", "<|start|>", "<|constrain|>"]) {
            attrs[Int(id)] = .userDefined
            types[Int(id)] = .userDefined
        }
        for id in [eos, eot, eom] { if let id { eogSet.insert(id) } }
        // o200k_harmony / solar-open: "<|end|>" is not end-of-generation there.
        let tbl = table
        func has(_ t: String) -> Bool { tbl.get(Array(t.utf8)).map { eogSet.contains($0) } ?? false }
        if let end = table.get(Array("<|end|>".utf8)), eogSet.contains(end),
           has("<|call|>") || has("<|calls|>"), has("<|return|>") || has("<|flush|>") {
            eogSet.remove(end)
            attrs[Int(end)] = .userDefined
            types[Int(end)] = .userDefined
        }
        eog = eogSet
    }

    // MARK: lookups

    @inline(__always) func id(of bytes: UnsafeBufferPointer<UInt8>) -> Int32? { table.get(bytes) }

    func id(of text: String) -> Int32? {
        var s = text
        return s.withUTF8 { table.get($0) }
    }

    @inline(__always) func isValid(_ id: Int32) -> Bool { id >= 0 && Int(id) < tokens.count }

    func attr(_ id: Int32) -> TokenAttr { isValid(id) ? attrs[Int(id)] : [] }
}
