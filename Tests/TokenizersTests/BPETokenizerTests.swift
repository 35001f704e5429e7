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

    /// Message contents (literal ranges) tokenize as with parse_special = false: control
    /// spellings stay text, USER_DEFINED tokens (Gemma's whitespace runs) still match.
    /// Found by the tokenizer fuzz target on Gemma-3: code with indentation in a chat message
    /// tokenized unlike llama.cpp because its whitespace tokens were suppressed too.
    @Test func literalRangesSuppressOnlyControlTokens() throws {
        let t = try TestVocab.bpe(pre: "smollm", extra: [], merges: [],
                                  specials: [("<|im_start|>", .control), ("<tool>", .userDefined)])
        let text = "<|im_start|>x<tool><|im_start|>"
        let contentStart = "<|im_start|>".utf8.count
        let content = contentStart..<(text.utf8.count - contentStart)
        let ids = t.encode(text, addSpecial: false, literal: [content])
        let start = try #require(t.tokenID("<|im_start|>")), tool = try #require(t.tokenID("<tool>"))
        #expect(ids.first == start && ids.last == start)
        #expect(Array(ids.dropFirst().dropLast()) == [t.tokenID("x"), tool].compactMap { $0 })
        #expect(t.encode(text, addSpecial: false, literal: [0..<text.utf8.count])
                == t.encode(text, addSpecial: false, parseSpecial: false))
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
