/// Log-probabilities of tokens, each given the tokens before it.
public struct TokenScores: Sendable, Equatable {
    /// Natural-log probabilities, one per scored token.
    public var logprobs: [Double]
    /// Whether each scored token was the model's most likely next token.
    public var greedy: [Bool]

    public init(logprobs: [Double] = [], greedy: [Bool] = []) {
        self.logprobs = logprobs
        self.greedy = greedy
    }

    public var sum: Double { logprobs.reduce(0, +) }
}

/// A model the evaluator can ask: a local GGUF (with adapters) or a remote
/// OpenAI-compatible server. Everything else (lm-eval's context/continuation
/// split, rolling windows, few-shot prompts) is built on these four calls, so
/// a task scores the same way on both.
public protocol ScoringBackend: AnyObject, Sendable {
    /// What the report calls this model.
    var identity: ModelIdentity { get }
    /// Most tokens one forward pass may hold.
    var contextLength: Int { get }
    /// Token that starts a text with no context (BOS, else EOS): lm-eval's `prefix_token_id`.
    var prefixToken: Int32 { get }
    /// Token ids of `text`; `addSpecial` adds BOS where the model's vocabulary asks for it.
    func tokenize(_ text: String, addSpecial: Bool) async throws -> [Int32]
    /// Log-probabilities of `tokens[from...]`, each conditioned on everything before it (`from` ≥ 1).
    func score(_ tokens: [Int32], from: Int) async throws -> TokenScores
    /// Greedy continuation of `prompt`, cut before the first `stop` string.
    func generate(_ prompt: String, maxTokens: Int, stop: [String]) async throws -> String
}

/// The model behind a number: name, where it runs, and what was added to it.
public struct ModelIdentity: Sendable, Equatable, Codable {
    /// Short label for tables (model name, or name+adapter).
    public var label: String
    /// "local" or the endpoint URL.
    public var location: String
    /// GGUF path or the server's model id.
    public var model: String
    /// Adapter files with scales, if any.
    public var adapters: [String]

    public init(label: String, location: String, model: String, adapters: [String] = []) {
        self.label = label
        self.location = location
        self.model = model
        self.adapters = adapters
    }
}
