import Engine
import Evaluation
import Foundation
import Testing
import TestSupport

/// `aqyl eval perplexity --llama-compatible` against `llama-perplexity -c 128 -b 128`
/// on the same file and model (goldens by scripts/make_fixtures.py --llama-bin).
@Suite struct EvalPerplexityTests {
    struct Golden: Decodable {
        var ctx: Int
        var ppl: Double
        var n_chunks: Int
    }

    @Test(arguments: ["smollm2-135m", "gemma3-270m", "qwen2.5-coder-0.5b"])
    func llamaCompatibleWithinOnePercent(model name: String) async throws {
        let golden = try JSONDecoder().decode(Golden.self, from: Data(contentsOf: FixturePaths.fixture("\(name)/perplexity.json")))
        let text = try String(contentsOf: FixturePaths.fixture("text/kk_sample.txt"), encoding: .utf8)
        let model = try LoadedModel(path: FixturePaths.model(name))
        let backend = LocalBackend(model: model, threads: 2, context: golden.ctx)
        let tokenizer = model.tokenizer
        let result = try await PerplexityEvaluator(backend: backend).llamaCompatible(
            text, context: golden.ctx, bos: tokenizer.addsBOS ? tokenizer.bosID : nil) { ids in
            TextCounts(String(decoding: ids.flatMap { tokenizer.pieceBytes($0, special: false) }, as: UTF8.self))
        }
        let relative = abs(result.perplexity - golden.ppl) / golden.ppl
        print("\(name): aqyl \(result.perplexity) vs llama-perplexity \(golden.ppl) (\(relative * 100)%)")
        #expect(result.chunks == golden.n_chunks)
        #expect(result.scoredTokens == golden.n_chunks * (golden.ctx - 1 - golden.ctx / 2))
        #expect(relative < 0.01)
        // The tokenizer-free units follow from the same sum.
        #expect(abs(result.bitsPerByte - result.negativeLogLikelihood / log(2) / Double(result.scoredText.bytes)) < 1e-12)
    }

    /// Rolling windows score every token once; with a window longer than the
    /// text, that is one pass from BOS, so the sum equals a direct forward pass.
    @Test func rollingScoresEveryTokenOnce() async throws {
        let model = try LoadedModel(path: FixturePaths.model("smollm2-135m"))
        let text = "Алматы — Қазақстанның ең үлкен қаласы. Ол тау етегінде орналасқан."
        let wide = try await PerplexityEvaluator(backend: LocalBackend(model: model, threads: 2, context: 512)).rolling(text)
        let narrow = try await PerplexityEvaluator(backend: LocalBackend(model: model, threads: 2, context: 8)).rolling(text)
        let ids = model.tokenizer.encode(text, addSpecial: false, parseSpecial: false)
        #expect(wide.scoredTokens == ids.count)
        #expect(narrow.scoredTokens == ids.count)
        // Less context per token costs likelihood.
        #expect(narrow.negativeLogLikelihood > wide.negativeLogLikelihood)
    }
}
