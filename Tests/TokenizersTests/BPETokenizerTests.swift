import Testing
import Tokenizers

struct BPETokenizerTests {
    @Test func mergesApplyInRankOrder() throws {
        let t = try TestVocab.bpe(pre: "smollm", extra: ["ab", "bc", "abc"], merges: ["a b", "b c", "ab c"])
        #expect(t.encode("abc", addSpecial: false, parseSpecial: false) == t.ids(["abc"]))
        // "b c" outranks "a b", and "a bc" is not a merge, so "abc" cannot form.
        let u = try TestVocab.bpe(pre: "smollm", extra: ["ab", "bc", "abc"], merges: ["b c", "a b", "ab c"])
        #expect(u.encode("abc", addSpecial: false, parseSpecial: false) == u.ids(["a", "bc"]))
    }

    @Test func tiesGoToTheLeftmostPair() throws {
        let t = try TestVocab.bpe(pre: "smollm", extra: ["aa"], merges: ["a a"])
        #expect(t.encode("aaa", addSpecial: false, parseSpecial: false) == t.ids(["aa", "a"]))
    }

    @Test func spacesAreByteLevelEncoded() throws {
        let t = try TestVocab.bpe(pre: "smollm", extra: ["Ġh", "Ġhi"], merges: ["Ġ h", "Ġh i"])
        #expect(t.encode("a hi", addSpecial: false, parseSpecial: false) == t.ids(["a", "Ġhi"]))
        #expect(t.decode(t.encode("a hi", addSpecial: false, parseSpecial: false)) == "a hi")
    }

    @Test func mergeResultOutsideVocabularyFallsBackToBytes() throws {
        let t = try TestVocab.bpe(pre: "smollm", extra: [], merges: ["x y"])
        #expect(t.encode("xy", addSpecial: false, parseSpecial: false) == t.ids(["x", "y"]))
    }

    @Test func llama3IgnoresMergesForWholeWords() throws {
        let l3 = try TestVocab.bpe(pre: "llama-bpe", extra: ["hello"], merges: [])
        #expect(l3.encode("hello", addSpecial: false, parseSpecial: false) == l3.ids(["hello"]))
        #expect(l3.addsBOS)  // llama-bpe defaults add_bos to true
        let smol = try TestVocab.bpe(pre: "smollm", extra: ["hello"], merges: [])
        #expect(smol.encode("hello", addSpecial: false, parseSpecial: false) == smol.ids(["h", "e", "l", "l", "o"]))
        #expect(!smol.addsBOS)
    }

    @Test func specialTokensPartitionTheText() throws {
        let t = try TestVocab.bpe(pre: "smollm", extra: [], merges: [],
                                  specials: [("<|im_start|>", .control), ("<|im_end|>", .control),
                                             ("<tool>", .userDefined), ("ab", .control), ("abc", .control)])
        let start = t.tokenID("<|im_start|>"), end = t.tokenID("<|im_end|>"), tool = t.tokenID("<tool>")
        #expect(t.encode("<|im_start|>x<tool><|im_end|>", addSpecial: false, parseSpecial: true)
                == [start, t.tokenID("x"), tool, end].compactMap { $0 })
        // parse_special = false: CONTROL tokens are plain text, USER_DEFINED still match.
        let plain = t.encode("<|im_start|>x<tool>", addSpecial: false, parseSpecial: false)
        #expect(!plain.contains(start ?? -1))
        #expect(plain.last == tool)
        // Longest first: "abc" claims its occurrence before "ab".
        #expect(t.encode("abcab", addSpecial: false, parseSpecial: true) == t.ids(["abc", "ab"]))
        #expect(t.endOfGenerationIDs.contains(end ?? -1))
        #expect(t.pieceBytes(end ?? -1, special: false) == [])
        #expect(t.pieceBytes(end ?? -1, special: true) == Array("<|im_end|>".utf8))
        #expect(t.pieceBytes(tool ?? -1, special: false) == Array("<tool>".utf8))
    }

    @Test func unknownPreTokenizerAndModelAreTypedErrors() throws {
        #expect(throws: TokenizerError.unknownPreTokenizer("no-such-pre")) {
            _ = try TestVocab.bpe(pre: "no-such-pre", extra: [], merges: [])
        }
        #expect(throws: TokenizerError.unknownModel("rwkv")) {
            _ = try TokenizerFactory.load(from: TestVocab.file([
                ("tokenizer.ggml.model", .string("rwkv")),
                ("tokenizer.ggml.tokens", .array(.string(["a"]))),
            ]))
        }
        #expect(throws: TokenizerError.missingVocabulary("tokenizer.ggml.merges")) {
            _ = try TokenizerFactory.load(from: TestVocab.file([
                ("tokenizer.ggml.model", .string("gpt2")),
                ("tokenizer.ggml.tokens", .array(.string(["a"]))),
            ]))
        }
    }
}
