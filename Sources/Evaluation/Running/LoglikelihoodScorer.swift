/// lm-evaluation-harness's `loglikelihood` and `loglikelihood_rolling` requests,
/// built on any ``ScoringBackend``.
public struct LoglikelihoodScorer: Sendable {
    public let backend: any ScoringBackend

    public init(backend: any ScoringBackend) { self.backend = backend }

    /// Sum of log P(continuation | context) and whether every continuation token
    /// was the greedy choice.
    ///
    /// The split follows lm-eval's `_encode_pair`: trailing spaces of the context
    /// move to the continuation; the continuation's tokens are those of
    /// `encode(context + continuation)` past `encode(context)`'s length. Too long
    /// inputs lose tokens from the left, as lm-eval truncates them.
    public func loglikelihood(context: String, continuation: String) async throws -> (logprob: Double, isGreedy: Bool) {
        var context = context
        var continuation = continuation
        let spaces = context.reversed().prefix { $0 == " " }.count
        if spaces > 0 {
            continuation = String(context.suffix(spaces)) + continuation
            context.removeLast(spaces)
        }
        let whole = try await backend.tokenize(context + continuation, addSpecial: true)
        var contextTokens = try await backend.tokenize(context, addSpecial: true)
        if contextTokens.isEmpty { contextTokens = [backend.prefixToken] }
        let continuationTokens = Array(whole.dropFirst(min(contextTokens.count, whole.count)))
        guard !continuationTokens.isEmpty else {
            // An empty continuation is certain; a non-empty one without tokens means the
            // tokenizer failed, and scoring it 0 would hand every choice a tie.
            if continuation.isEmpty { return (0, true) }
            throw EvaluationError.invalidOption("the continuation \(continuation.debugDescription) has no tokens after "
                + "its context (\(whole.count) tokens for context + continuation, \(contextTokens.count) for the context)")
        }
        var all = contextTokens + continuationTokens
        // The forward pass holds all but the last token.
        let limit = backend.contextLength + 1
        if all.count > limit { all = Array(all.suffix(limit)) }
        let scores = try await backend.score(all, from: all.count - continuationTokens.count)
        return (scores.sum, scores.greedy.allSatisfy { $0 })
    }

    /// Log-likelihood of a whole text in disjoint windows of the context length,
    /// each window seeing as much preceding text as fits (lm-eval's
    /// `get_rolling_token_windows` with `context_len = 1`); the first token is
    /// predicted from the prefix token. Every token is scored exactly once.
    public func rolling(_ text: String) async throws -> (logprob: Double, tokens: Int) {
        let tokens = try await backend.tokenize(text, addSpecial: false)
        guard !tokens.isEmpty else { return (0, 0) }
        let maxLength = backend.contextLength
        var total = 0.0
        let first = min(maxLength, tokens.count)
        total += try await backend.score([backend.prefixToken] + tokens[0..<first], from: 1).sum
        var predicted = first
        while predicted < tokens.count {
            let count = min(tokens.count - predicted, maxLength)
            let end = predicted + count
            let window = Array(tokens[(end - maxLength - 1)..<end])
            total += try await backend.score(window, from: window.count - count).sum
            predicted += count
        }
        return (total, tokens.count)
    }
}
