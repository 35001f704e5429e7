import Foundation

/// A text's likelihood under a model, in units that do and do not depend on the tokenizer.
public struct PerplexityResult: Sendable, Equatable, Codable {
    /// "rolling" (every token once, lm-eval's rolling windows) or "llama-perplexity"
    /// (chunks of `ctx`, the second half of each scored).
    public var convention: String
    public var context: Int
    /// Negative log-likelihood of the scored tokens, in nats.
    public var negativeLogLikelihood: Double
    public var scoredTokens: Int
    /// What the scored tokens cover (all of the text for rolling; the scored halves for llama-perplexity).
    public var scoredText: TextCounts
    /// Tokens of the whole text and its counts, for fertility.
    public var textTokens: Int
    public var text: TextCounts
    /// llama-perplexity's standard error of the perplexity (llama convention only).
    public var perplexityStandardError: Double?
    public var chunks: Int?

    enum CodingKeys: String, CodingKey {
        case convention, context, chunks, text
        case negativeLogLikelihood = "negative_log_likelihood", scoredTokens = "scored_tokens", scoredText = "scored_text"
        case textTokens = "text_tokens", perplexityStandardError = "perplexity_stderr"
    }

    public var perplexity: Double { exp(negativeLogLikelihood / Double(max(scoredTokens, 1))) }
    public var bitsPerByte: Double { negativeLogLikelihood / log(2) / Double(max(scoredText.bytes, 1)) }
    public var bitsPerCharacter: Double { negativeLogLikelihood / log(2) / Double(max(scoredText.characters, 1)) }
    public var wordPerplexity: Double { exp(negativeLogLikelihood / Double(max(scoredText.words, 1))) }
    public var tokensPerWord: Double { Double(textTokens) / Double(max(text.words, 1)) }
}
