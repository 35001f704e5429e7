/// `POST /v1/completions` body (the legacy text API), which evaluation harnesses use
/// for log-likelihood scoring via `echo` + `logprobs`.
public struct CompletionRequest: Codable, Sendable, Equatable {
    public var model: String
    public var prompt: CompletionPrompt
    public var maxTokens: Int?
    public var temperature: Double?
    public var topP: Double?
    public var stop: StopSequences?
    public var seed: Int?
    /// Return the prompt before the completion, with per-token logprobs when `logprobs` is set.
    public var echo: Bool?
    /// How many alternatives to return per position; the chosen token's logprob always comes.
    public var logprobs: Int?
    public var n: Int?
    public var stream: Bool?
    public var streamOptions: StreamOptions?
    public var presencePenalty: Double?
    public var frequencyPenalty: Double?
    public var logitBias: [String: Double]?
    public var user: String?

    public init(model: String, prompt: CompletionPrompt) {
        self.model = model
        self.prompt = prompt
    }

    public var isStreaming: Bool { stream ?? false }
    public var echoesPrompt: Bool { echo ?? false }
    public var stopSequences: [String] { stop?.values ?? [] }
    /// OpenAI's default is 16 tokens when `max_tokens` is absent.
    public var maxOutputTokens: Int { maxTokens ?? 16 }

    enum CodingKeys: String, CodingKey {
        case model, prompt, temperature, stop, seed, echo, logprobs, n, stream, user
        case maxTokens = "max_tokens"
        case topP = "top_p"
        case streamOptions = "stream_options"
        case presencePenalty = "presence_penalty"
        case frequencyPenalty = "frequency_penalty"
        case logitBias = "logit_bias"
    }

    /// The same range checks as chat. `max_tokens: 0` is allowed together with `echo`,
    /// which scores a prompt without generating (vLLM accepts it too).
    public func validate() throws(APIError) {
        if model.isEmpty { throw .invalidValue("model", "'model' must not be empty.") }
        let items = prompt.items
        if items.isEmpty { throw .invalidValue("prompt", "'prompt' must not be empty.") }
        for (i, item) in items.enumerated() {
            if case .tokens(let ids) = item {
                if ids.isEmpty { throw .invalidValue("prompt", "Prompt \(i) has no tokens.") }
                if let bad = ids.first(where: { $0 < 0 }) {
                    throw .invalidValue("prompt", "Token ids must be non-negative, got \(bad) in prompt \(i).")
                }
            }
        }
        try Validation.range("temperature", temperature, 0...2)
        if let topP, !(topP > 0 && topP <= 1) {
            throw .invalidValue("top_p", "'top_p' must be greater than 0 and at most 1, got \(topP).")
        }
        try Validation.range("presence_penalty", presencePenalty, -2...2)
        try Validation.range("frequency_penalty", frequencyPenalty, -2...2)
        if let maxTokens, maxTokens < (echoesPrompt ? 0 : 1) {
            throw .invalidValue("max_tokens", "'max_tokens' must be at least \(echoesPrompt ? 0 : 1), got \(maxTokens).")
        }
        try Validation.singleChoice(n)
        if let logprobs, !(0...20).contains(logprobs) {
            throw .invalidValue("logprobs", "'logprobs' must be between 0 and 20, got \(logprobs).")
        }
        for (key, bias) in logitBias ?? [:] {
            guard Int(key) != nil else {
                throw .invalidValue("logit_bias", "'logit_bias' keys must be token ids (integers), got '\(key)'.")
            }
            guard (-100...100).contains(bias) else {
                throw .invalidValue("logit_bias", "'logit_bias' values must be between -100 and 100, got \(bias) for token \(key).")
            }
        }
        if isStreaming, echoesPrompt, logprobs != nil {
            throw .invalidValue("echo", "'echo' with 'logprobs' is not supported when streaming.")
        }
    }
}
