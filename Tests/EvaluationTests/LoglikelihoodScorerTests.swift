import Testing
@testable import Evaluation

@Suite struct LoglikelihoodScorerTests {
    @Test func continuationTokensAreScoredAfterTheContext() async throws {
        let fake = FakeBackend()
        let (lp, greedy) = try await LoglikelihoodScorer(backend: fake).loglikelihood(context: "Жауап:", continuation: " иә")
        #expect(lp == -3)  // " иә" is three scalars
        #expect(!greedy)
        // BOS + 6 context scalars + 3 continuation scalars, scored from index 7.
        #expect(fake.calls.count == 1)
        #expect(fake.calls[0].tokens.count == 10)
        #expect(fake.calls[0].from == 7)
    }

    /// lm-eval's `_encode_pair`: the context's trailing spaces join the continuation.
    @Test func trailingSpacesMoveToTheContinuation() async throws {
        let fake = FakeBackend()
        let (lp, _) = try await LoglikelihoodScorer(backend: fake).loglikelihood(context: "A:  ", continuation: "b")
        #expect(lp == -3)
        #expect(fake.calls[0].from == 3)  // BOS, "A", ":"
    }

    @Test func greedyWhenEveryTokenIsTheBest() async throws {
        let fake = FakeBackend()
        fake.bonus = Int32(UnicodeScalar("x").value)
        let (lp, greedy) = try await LoglikelihoodScorer(backend: fake).loglikelihood(context: "q", continuation: "xx")
        #expect(lp == -0.5)
        #expect(greedy)
    }

    /// Too long inputs lose tokens from the left; the continuation stays whole.
    @Test func longInputsAreCutFromTheLeft() async throws {
        let fake = FakeBackend(contextLength: 8)
        let (lp, _) = try await LoglikelihoodScorer(backend: fake).loglikelihood(context: String(repeating: "к", count: 30), continuation: "abc")
        #expect(lp == -3)
        #expect(fake.calls[0].tokens.count == 9)
        #expect(fake.calls[0].from == 6)
    }

    /// Rolling windows: every token scored exactly once, each window within the context.
    @Test(arguments: [1, 3, 4, 10, 11, 25])
    func rollingScoresEachTokenOnce(length: Int) async throws {
        let fake = FakeBackend(contextLength: 4)
        let text = String(repeating: "ә", count: length)
        let (lp, tokens) = try await LoglikelihoodScorer(backend: fake).rolling(text)
        #expect(tokens == length)
        #expect(lp == -Double(length))
        #expect(fake.calls.first?.tokens.first == 1)  // the first window starts from BOS
        #expect(fake.calls.reduce(0) { $0 + $1.tokens.count - $1.from } == length)
        #expect(fake.calls.count == (length + 3) / 4)
    }

    /// llama-perplexity: ⌊n/ctx⌋ chunks, BOS first, tokens ctx/2+1 … ctx−1 scored.
    @Test func llamaConventionScoresSecondHalves() async throws {
        let fake = FakeBackend(contextLength: 64)
        let text = String(repeating: "a", count: 19)  // BOS + 19 = 20 tokens → 2 chunks of 8
        let r = try await PerplexityEvaluator(backend: fake).llamaCompatible(text, context: 8, bos: 1) { ids in
            TextCounts(bytes: ids.count, characters: ids.count, words: 1)
        }
        #expect(r.chunks == 2)
        #expect(r.scoredTokens == 6)  // 3 per chunk: positions 5, 6, 7
        #expect(r.negativeLogLikelihood == 6)
        #expect(abs(r.perplexity - exp(1)) < 1e-12)
        #expect(fake.calls.map(\.from) == [5, 5])
        #expect(fake.calls[1].tokens[0] == 1)  // the second chunk's first token became BOS
        #expect(abs(r.bitsPerByte - 6 / log(2) / 6) < 1e-12)
        await #expect(throws: EvaluationError.self) {
            _ = try await PerplexityEvaluator(backend: fake).llamaCompatible("ab", context: 8, bos: 1) { _ in TextCounts("") }
        }
    }

    @Test func textCounts() {
        let c = TextCounts("Сәлем, әлем!  Hi")
        #expect(c.characters == 16)
        #expect(c.bytes == 16 + 9)  // nine two-byte Cyrillic letters
        #expect(c.words == 3)
    }
}

import Foundation
