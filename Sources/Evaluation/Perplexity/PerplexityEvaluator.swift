import Foundation

/// Perplexity of a text under one backend, in two conventions.
public struct PerplexityEvaluator: Sendable {
    public let backend: any ScoringBackend

    public init(backend: any ScoringBackend) { self.backend = backend }

    /// Every token scored once in rolling windows of `backend.contextLength`.
    public func rolling(_ text: String) async throws -> PerplexityResult {
        let (logprob, tokens) = try await LoglikelihoodScorer(backend: backend).rolling(text)
        guard tokens > 0 else { throw EvaluationError.textTooShort(tokens: 0, needed: 1) }
        let counts = TextCounts(text)
        return PerplexityResult(convention: "rolling", context: backend.contextLength, negativeLogLikelihood: -logprob,
                                scoredTokens: tokens, scoredText: counts, textTokens: tokens, text: counts)
    }

    /// `llama-perplexity -c ctx`: the text tokenized once with BOS, cut into
    /// ⌊tokens/ctx⌋ chunks, each chunk's first token replaced by BOS, and only
    /// the predictions from the middle of the chunk on counted (tokens
    /// ctx/2+1 … ctx−1), so every scored token has at least ctx/2 of context.
    /// `bos` is the model's BOS when its vocabulary adds one (llama.cpp's
    /// `add_bos`), nil otherwise: then chunks start with the text's own token.
    public func llamaCompatible(_ text: String, context ctx: Int, bos: Int32?,
                                bytesOf: ([Int32]) -> TextCounts) async throws -> PerplexityResult {
        guard ctx >= 4, ctx <= backend.contextLength else {
            throw EvaluationError.invalidOption("--ctx must be between 4 and the model's context \(backend.contextLength)")
        }
        let tokens = try await backend.tokenize(text, addSpecial: true)
        let chunks = tokens.count / ctx
        guard chunks >= 1, tokens.count >= 2 * ctx else { throw EvaluationError.textTooShort(tokens: tokens.count, needed: 2 * ctx) }
        let first = ctx / 2
        var nll = 0.0, nll2 = 0.0
        var count = 0
        var scored = TextCounts(bytes: 0, characters: 0, words: 0)
        for c in 0..<chunks {
            var chunk = Array(tokens[(c * ctx)..<((c + 1) * ctx)])
            if let bos { chunk[0] = bos }
            let scores = try await backend.score(chunk, from: first + 1)
            for lp in scores.logprobs {
                nll -= lp
                nll2 += lp * lp
            }
            count += scores.logprobs.count
            scored = scored + bytesOf(Array(chunk[(first + 1)...]))
        }
        // llama.cpp's error estimate: from the per-token NLL variance, through exp.
        let mean = nll / Double(count)
        let meanSquare = nll2 / Double(count)
        let se = count > 1 ? sqrt(max(meanSquare - mean * mean, 0) / Double(count - 1)) : 0
        return PerplexityResult(convention: "llama-perplexity", context: ctx, negativeLogLikelihood: nll, scoredTokens: count,
                                scoredText: scored, textTokens: tokens.count - (bos != nil && bos == tokens.first ? 1 : 0),
                                text: TextCounts(text), perplexityStandardError: exp(mean) * se, chunks: chunks)
    }
}
