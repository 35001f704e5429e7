import Testing
import GGUF
import TestSupport
import Tokenizers

/// Tokenization of the committed test strings must be identical to llama.cpp's
/// (fixtures from scripts/make_fixtures.py with llama-cpp-python 0.3.36).
@Suite struct RealModelTokenizationTests {
    static func check(modelPath: String, fixture: String) throws {
        let tokenizer = try TokenizerFactory.load(from: try GGUFFile(path: modelPath))
        let (_, cases) = try loadFixtureCases(fixture, as: TokenizeCase.self)
        #expect(cases.count >= 30)
        for c in cases {
            #expect(tokenizer.encode(c.text, addSpecial: false, parseSpecial: false) == c.ids, "\(c.text.debugDescription)")
            #expect(tokenizer.encode(c.text, addSpecial: true, parseSpecial: false) == c.ids_bos, "bos: \(c.text.debugDescription)")
            #expect(tokenizer.encode(c.text, addSpecial: false, parseSpecial: true) == c.ids_special, "special: \(c.text.debugDescription)")
        }
    }

    @Test func smollm2() throws {
        try Self.check(modelPath: FixturePaths.model("smollm2-135m"), fixture: "smollm2-135m/tokenize.json")
    }

    @Test func gemma3() throws {
        try Self.check(modelPath: FixturePaths.model("gemma3-270m"), fixture: "gemma3-270m/tokenize.json")
    }

    @Test func qwen2() throws {
        try Self.check(modelPath: FixturePaths.model("qwen2.5-coder-0.5b"), fixture: "qwen2.5-coder-0.5b/tokenize.json")
    }

    /// KazLLM uses the stock Llama-3 tokenizer: a tiny random-weight model carries it.
    @Test func llama3TokenizerForKazLLM() throws {
        try Self.check(modelPath: FixturePaths.fixture("llama3-tiny/llama3-tiny.gguf").path, fixture: "llama3-tiny/tokenize.json")
    }
}
