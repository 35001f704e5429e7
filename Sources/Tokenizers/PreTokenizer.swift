/// BPE pre-tokenizers: the regex lists of `llm_tokenizer_bpe` as hand-written
/// matchers. Each stage re-splits the pieces of the previous one and keeps both
/// matched and unmatched spans (`unicode_regex_split`). The GPT-2, Llama-3 and
/// Qwen2 stages mirror llama.cpp's own custom matchers (`unicode.cpp`), including
/// their quirks, rather than a regex engine's exact semantics, since llama.cpp's
/// output is the reference.
public enum PreTokenizerKind: String, Sendable, CaseIterable {
    /// `llama-bpe` / `llama3` / `llama-v3`.
    case llama3
    case qwen2
    case smollm
    /// `default` or missing `.pre`.
    case gpt2Default = "default"

    /// Maps `tokenizer.ggml.pre` to a kind (nil for an unsupported name).
    public init?(preName: String?) {
        switch preName {
        case nil, "default": self = .gpt2Default
        case "llama-bpe", "llama3", "llama-v3": self = .llama3
        case "qwen2": self = .qwen2
        case "smollm": self = .smollm
        default: return nil
        }
    }

    /// `ignore_merges`: a whole pre-token that is a vocabulary entry is emitted as is.
    var ignoresMerges: Bool { self == .llama3 }

    var stages: [PreTokenizerStage] {
        switch self {
        case .llama3: return [.llama3]
        case .qwen2: return [.qwen2]
        case .smollm: return [.isolatedNumbers, .gpt2]
        case .gpt2Default: return [.punctuationRuns, .gpt2, .numberRuns, .asciiDigitTriples]
        }
    }
}

enum PreTokenizerStage: Sendable {
    /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)` (plus llama.cpp's `\s+` fallback).
    case gpt2
    /// `(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
    case llama3
    /// As llama3 with `\p{N}` instead of `\p{N}{1,3}`.
    case qwen2
    /// `\p{N}`: every number code point alone.
    case isolatedNumbers
    /// `[\p{P}\$\+<=>\^~\|]+`
    case punctuationRuns
    /// `\p{N}+`
    case numberRuns
    /// `[0-9][0-9][0-9]`
    case asciiDigitTriples
}

/// Splits code points into pre-tokens; returns the pieces' lengths in code points.
struct PreTokenizer: Sendable {
    let stages: [PreTokenizerStage]

    init(kind: PreTokenizerKind) { stages = kind.stages }
    init(stages: [PreTokenizerStage]) { self.stages = stages }

    func split(_ cps: [UInt32]) -> [Int] {
        if cps.isEmpty { return [] }
        let flags = cps.map { CodepointFlags.of($0) }
        var offsets = [cps.count]
        for stage in stages {
            var out: [Int] = []
            out.reserveCapacity(max(offsets.count, cps.count / 3))
            var start = 0
            for len in offsets {
                let end = start + len
                switch stage {
                case .gpt2: Self.gpt2(cps, flags, start, end, &out)
                case .llama3: Self.llama3(cps, flags, start, end, maxDigits: 3, &out)
                case .qwen2: Self.llama3(cps, flags, start, end, maxDigits: 1, &out)
                case .isolatedNumbers:
                    // std::regex over llama.cpp's collapsed text: ASCII digits, or a
                    // non-ASCII, non-whitespace code point of category N.
                    Self.classSplit(start, end, &out, repeated: false) { i in
                        let c = cps[i]
                        return c < 0x80 ? (c >= 0x30 && c <= 0x39) : (!flags[i].isWhitespace && flags[i].isNumber)
                    }
                case .numberRuns:
                    Self.classSplit(start, end, &out, repeated: true) { i in
                        let c = cps[i]
                        return c < 0x80 ? (c >= 0x30 && c <= 0x39) : (!flags[i].isWhitespace && flags[i].isNumber)
                    }
                case .punctuationRuns:
                    Self.classSplit(start, end, &out, repeated: true) { i in
                        let c = cps[i]
                        if c < 0x80 {
                            // ASCII P plus $ + < = > ^ ~ | as llama.cpp's collapsed class has them: every
                            // printable non-alphanumeric except the backtick.
                            return c >= 0x21 && c <= 0x7E && c != 0x60 && !Self.isASCIIAlnum(c)
                        }
                        return !flags[i].isWhitespace && flags[i].isPunctuation
                    }
                case .asciiDigitTriples:
                    Self.digitTriples(cps, start, end, &out)
                }
                start = end
            }
            offsets = out
        }
        return offsets
    }

    @inline(__always) static func isASCIIAlnum(_ c: UInt32) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
    }

    /// Leftmost-first matches of a one-character class (`repeated`: the class with `+`);
    /// gaps between matches are kept as pieces.
    @inline(__always)
    private static func classSplit(_ start: Int, _ end: Int, _ out: inout [Int], repeated: Bool, _ inClass: (Int) -> Bool) {
        var gapStart = start
        var i = start
        while i < end {
            if inClass(i) {
                if i > gapStart { out.append(i - gapStart) }
                var j = i + 1
                if repeated { while j < end && inClass(j) { j += 1 } }
                out.append(j - i)
                i = j
                gapStart = j
            } else {
                i += 1
            }
        }
        if end > gapStart { out.append(end - gapStart) }
    }

    private static func digitTriples(_ cps: [UInt32], _ start: Int, _ end: Int, _ out: inout [Int]) {
        @inline(__always) func digit(_ i: Int) -> Bool { cps[i] >= 0x30 && cps[i] <= 0x39 }
        var gapStart = start
        var i = start
        while i < end {
            if i + 3 <= end && digit(i) && digit(i + 1) && digit(i + 2) {
                if i > gapStart { out.append(i - gapStart) }
                out.append(3)
                i += 3
                gapStart = i
            } else {
                i += 1
            }
        }
        if end > gapStart { out.append(end - gapStart) }
    }

    /// `unicode_regex_split_custom_gpt2`.
    private static func gpt2(_ cps: [UInt32], _ flags: [CodepointFlags], _ start: Int, _ end: Int, _ out: inout [Int]) {
        let outOfRange: UInt32 = 0xFFFF_FFFF
        @inline(__always) func cpt(_ p: Int) -> UInt32 { p >= start && p < end ? cps[p] : outOfRange }
        @inline(__always) func fl(_ p: Int) -> CodepointFlags { p >= start && p < end ? flags[p] : .outOfRange }
        var prevEnd = start
        @inline(__always) func add(_ e: Int) -> Int {
            let len = e - prevEnd
            if len > 0 { out.append(len) }
            prevEnd = e
            return len
        }
        var pos = start
        while pos < end {
            let c = cpt(pos)
            let f = fl(pos)
            // 's|'t|'re|'ve|'m|'ll|'d (case-sensitive here)
            if c == 0x27 && pos + 1 < end {
                let n1 = cpt(pos + 1)
                if n1 == 0x73 || n1 == 0x74 || n1 == 0x6D || n1 == 0x64 { pos += add(pos + 2); continue }
                if pos + 2 < end {
                    let n2 = cpt(pos + 2)
                    if (n1 == 0x72 && n2 == 0x65) || (n1 == 0x76 && n2 == 0x65) || (n1 == 0x6C && n2 == 0x6C) {
                        pos += add(pos + 3); continue
                    }
                }
            }
            var f2 = c == 0x20 ? fl(pos + 1) : f
            // ' ?\p{L}+'
            if f2.isLetter {
                if c == 0x20 { pos += 1 }
                while f2.isLetter { pos += 1; f2 = fl(pos) }
                _ = add(pos); continue
            }
            // ' ?\p{N}+'
            if f2.isNumber {
                if c == 0x20 { pos += 1 }
                while f2.isNumber { pos += 1; f2 = fl(pos) }
                _ = add(pos); continue
            }
            // ' ?[^\s\p{L}\p{N}]+'
            if !(f2.isWhitespace || f2.isLetter || f2.isNumber) && f2.isPresent {
                if c == 0x20 { pos += 1 }
                while !(f2.isWhitespace || f2.isLetter || f2.isNumber) && f2.isPresent { pos += 1; f2 = fl(pos) }
                _ = add(pos); continue
            }
            var ws = 0
            while fl(pos + ws).isWhitespace { ws += 1 }
            // '\s+(?!\S)'
            if ws > 1 && cpt(pos + ws) != outOfRange { pos += ws - 1; _ = add(pos); continue }
            // '\s+'
            if ws > 0 { pos += ws; _ = add(pos); continue }
            pos += 1
            _ = add(pos)
        }
    }

    /// `unicode_regex_split_custom_llama3` (maxDigits 3) and `..._qwen2` (maxDigits 1).
    private static func llama3(_ cps: [UInt32], _ flags: [CodepointFlags], _ start: Int, _ end: Int,
                               maxDigits: Int, _ out: inout [Int]) {
        let outOfRange: UInt32 = 0xFFFF_FFFF
        @inline(__always) func cpt(_ p: Int) -> UInt32 { p >= start && p < end ? cps[p] : outOfRange }
        @inline(__always) func fl(_ p: Int) -> CodepointFlags { p >= start && p < end ? flags[p] : .outOfRange }
        @inline(__always) func lower(_ c: UInt32) -> UInt32 { c >= 0x41 && c <= 0x5A ? c + 0x20 : c }
        var prevEnd = start
        @inline(__always) func add(_ e: Int) -> Int {
            let len = e - prevEnd
            if len > 0 { out.append(len) }
            prevEnd = e
            return len
        }
        var pos = start
        while pos < end {
            let c = cpt(pos)
            let f = fl(pos)
            // (?i:'s|'t|'re|'ve|'m|'ll|'d)
            if c == 0x27 && pos + 1 < end {
                let n1 = lower(cpt(pos + 1))
                if n1 == 0x73 || n1 == 0x74 || n1 == 0x6D || n1 == 0x64 { pos += add(pos + 2); continue }
                if pos + 2 < end {
                    let n2 = lower(cpt(pos + 2))
                    if (n1 == 0x72 && n2 == 0x65) || (n1 == 0x76 && n2 == 0x65) || (n1 == 0x6C && n2 == 0x6C) {
                        pos += add(pos + 3); continue
                    }
                }
            }
            // [^\r\n\p{L}\p{N}]?\p{L}+
            if !(c == 0x0D || c == 0x0A || f.isNumber) {
                if f.isLetter || fl(pos + 1).isLetter {
                    pos += 1
                    while fl(pos).isLetter { pos += 1 }
                    _ = add(pos); continue
                }
            }
            // \p{N}{1,3} (llama3) or \p{N} (qwen2)
            if f.isNumber {
                if maxDigits == 1 {
                    pos += 1
                } else {
                    var ini = pos
                    while fl(pos).isNumber {
                        pos += 1
                        if pos - ini >= maxDigits { _ = add(pos); ini = pos }
                    }
                }
                _ = add(pos); continue
            }
            // ' ?[^\s\p{L}\p{N}]+[\r\n]*' (llama.cpp tests the *first* code point for presence)
            var f2 = c == 0x20 ? fl(pos + 1) : f
            if !(f2.isWhitespace || f2.isLetter || f2.isNumber) && f.isPresent {
                if c == 0x20 { pos += 1 }
                while !(f2.isWhitespace || f2.isLetter || f2.isNumber) && f2.isPresent { pos += 1; f2 = fl(pos) }
                var c2 = cpt(pos)
                while c2 == 0x0D || c2 == 0x0A { pos += 1; c2 = cpt(pos) }
                _ = add(pos); continue
            }
            var ws = 0
            var lastEndRN = 0
            while fl(pos + ws).isWhitespace {
                let c2 = cpt(pos + ws)
                if c2 == 0x0D || c2 == 0x0A { lastEndRN = pos + ws + 1 }
                ws += 1
            }
            // \s*[\r\n]+
            if lastEndRN > 0 { pos = lastEndRN; _ = add(pos); continue }
            // \s+(?!\S)
            if ws > 1 && cpt(pos + ws) != outOfRange { pos += ws - 1; _ = add(pos); continue }
            // \s+
            if ws > 0 { pos += ws; _ = add(pos); continue }
            pos += 1
            _ = add(pos)
        }
    }
}

extension PreTokenizerKind {
    /// The pre-tokens of `text` as strings (before byte-level encoding); for tests and
    /// debugging: encoding works on byte ranges and never builds these strings.
    public func preTokenize(_ text: String) -> [String] {
        let bytes = Array(text.utf8)
        var cps: [UInt32] = [], starts: [Int] = []
        bytes.withUnsafeBufferPointer { UTF8Util.decode($0, 0..<bytes.count, cps: &cps, starts: &starts) }
        var out: [String] = []
        var i = 0
        for len in PreTokenizer(kind: self).split(cps) {
            out.append(String(decoding: bytes[starts[i]..<starts[i + len]], as: UTF8.self))
            i += len
        }
        return out
    }
}
