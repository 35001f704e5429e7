import Testing
import GGUF
import Kernels
import Models
import Templates
import Tokenizers
@testable import Engine
import TestSupport

@Suite struct TextGeneratorTests {
    static func tinyModel() throws -> (Transformer, any Tokenizer, GGUFFile) {
        var b = TinyModelBuilder()
        b.byteLevelTokenizer = true
        b.context = 128
        let file = try GGUFFile(bytes: try b.build().encode())
        return (try Transformer(file: file), try TokenizerFactory.load(from: file), file)
    }

    @Test func greedyIsDeterministicAndRespectsMaxTokens() throws {
        let (model, tok, _) = try Self.tinyModel()
        let g = TextGenerator(model: model, tokenizer: tok, pool: ThreadPool(threads: 2), contextLength: 64)
        let prompt = tok.encode("Сәлем", addSpecial: true, parseSpecial: false)
        let a = try g.generate(prompt: prompt, maxTokens: 12, sampling: .greedy)
        let b = try g.generate(prompt: prompt, maxTokens: 12, sampling: .greedy)
        #expect(a.tokens == b.tokens)
        #expect(a.tokens.count <= 12)
        #expect(a.finishReason == .length || a.finishReason == .stop)
        // Streamed text never contains broken UTF-8 and equals the final text.
        var streamed = ""
        _ = try g.generate(prompt: prompt, maxTokens: 12, sampling: .greedy) { streamed += $0; return true }
        #expect(streamed == a.text)
    }

    @Test func reusesTheCachedPrefix() throws {
        let (model, tok, _) = try Self.tinyModel()
        let g = TextGenerator(model: model, tokenizer: tok, pool: ThreadPool(threads: 1), contextLength: 64)
        let p1 = tok.encode("abc", addSpecial: false, parseSpecial: false)
        let fresh = try g.prefill(p1 + [100, 101])
        _ = try g.prefill(p1 + [7])
        #expect(g.cachedTokens == p1 + [7])
        let reused = try g.prefill(p1 + [100, 101])
        #expect(reused == fresh)
    }

    @Test func cancellationStops() throws {
        let (model, tok, _) = try Self.tinyModel()
        let g = TextGenerator(model: model, tokenizer: tok, pool: ThreadPool(threads: 1), contextLength: 64)
        var pieces = 0
        var params = SamplingParameters()
        params.seed = 5
        params.temperature = 2
        let r = try g.generate(prompt: [65, 66], maxTokens: 40, sampling: params) { _ in pieces += 1; return pieces < 2 }
        #expect(r.finishReason == .cancelled || r.finishReason == .stop)
    }

    @Test func promptTooLongIsTyped() throws {
        let (model, tok, _) = try Self.tinyModel()
        let g = TextGenerator(model: model, tokenizer: tok, pool: ThreadPool(threads: 1), contextLength: 8)
        #expect(throws: GenerationError.promptTooLong(tokens: 9, context: 8)) {
            try g.generate(prompt: [Int32](repeating: 65, count: 9), maxTokens: 1, sampling: .greedy)
        }
        #expect(throws: GenerationError.emptyPrompt) { try g.generate(prompt: [], maxTokens: 1, sampling: .greedy) }
    }

    @Test func chatFormatterUsesTheTemplateAndParsesSpecials() throws {
        let (_, tok, file) = try Self.tinyModel()
        let f = try ChatFormatter(file: file, tokenizer: tok)
        let text = try f.render([ChatMessage(role: "user", content: "Сәлем")])
        #expect(text == "<|im_start|>user\nСәлем<|im_end|>\n<|im_start|>assistant\n")
        let ids = try f.tokens([ChatMessage(role: "user", content: "hi")], tokenizer: tok)
        #expect(ids.first == 256)          // <|im_start|> as one special token
        #expect(ids.filter { $0 == 257 }.count == 1)
    }
}
