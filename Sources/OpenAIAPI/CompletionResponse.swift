/// The answer to `POST /v1/completions` (also the shape of each streamed event,
/// with `object` "text_completion" in both, as OpenAI does).
public struct CompletionResponse: Codable, Sendable, Equatable {
    public var id: String
    public var object: String = "text_completion"
    public var created: Int
    public var model: String
    public var choices: [Choice]
    public var usage: Usage?

    public init(id: String, created: Int, model: String, choices: [Choice], usage: Usage?) {
        self.id = id
        self.created = created
        self.model = model
        self.choices = choices
        self.usage = usage
    }

    enum CodingKeys: String, CodingKey { case id, object, created, model, choices, usage }

    /// Lenient where other servers differ (the evaluator reads vLLM's and llama-server's
    /// answers): only `choices` is required.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decodeIfPresent(String.self, forKey: .id) ?? ""
        object = try c.decodeIfPresent(String.self, forKey: .object) ?? "text_completion"
        created = try c.decodeIfPresent(Int.self, forKey: .created) ?? 0
        model = try c.decodeIfPresent(String.self, forKey: .model) ?? ""
        choices = try c.decode([Choice].self, forKey: .choices)
        usage = try? c.decodeIfPresent(Usage.self, forKey: .usage)
    }

    /// One completion. Harnesses sort choices by `index` and read `logprobs`, so
    /// `logprobs` and `finish_reason` are always written, null when absent.
    public struct Choice: Codable, Sendable, Equatable {
        public var text: String
        public var index: Int
        public var logprobs: CompletionLogprobs?
        public var finishReason: FinishReason?

        public init(text: String, index: Int = 0, logprobs: CompletionLogprobs? = nil, finishReason: FinishReason?) {
            self.text = text
            self.index = index
            self.logprobs = logprobs
            self.finishReason = finishReason
        }

        enum CodingKeys: String, CodingKey {
            case text, index, logprobs
            case finishReason = "finish_reason"
        }

        /// A finish reason this API does not define (another server's) reads as nil.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            text = try c.decode(String.self, forKey: .text)
            index = try c.decodeIfPresent(Int.self, forKey: .index) ?? 0
            logprobs = try c.decodeIfPresent(CompletionLogprobs.self, forKey: .logprobs)
            finishReason = try? c.decodeIfPresent(FinishReason.self, forKey: .finishReason)
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(text, forKey: .text)
            try c.encode(index, forKey: .index)
            try c.encode(logprobs, forKey: .logprobs)
            try c.encode(finishReason, forKey: .finishReason)
        }
    }
}

/// Legacy logprobs: parallel arrays, one entry per token (prompt tokens first when echoed).
/// With `echo`, the first prompt token has no context, so its `token_logprobs` and
/// `top_logprobs` entries are null — lm-evaluation-harness relies on exactly that.
public struct CompletionLogprobs: Codable, Sendable, Equatable {
    public var tokens: [String]
    public var tokenLogprobs: [Double?]
    public var topLogprobs: [[String: Double]?]
    /// Character offset of each token in the returned text (echoed prompt included).
    public var textOffset: [Int]

    public init(tokens: [String], tokenLogprobs: [Double?], topLogprobs: [[String: Double]?], textOffset: [Int]) {
        self.tokens = tokens
        self.tokenLogprobs = tokenLogprobs
        self.topLogprobs = topLogprobs
        self.textOffset = textOffset
    }

    enum CodingKeys: String, CodingKey {
        case tokens
        case tokenLogprobs = "token_logprobs"
        case topLogprobs = "top_logprobs"
        case textOffset = "text_offset"
    }

    /// Only `token_logprobs` is required: the other arrays are empty when a server leaves them out.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        tokens = try c.decodeIfPresent([String].self, forKey: .tokens) ?? []
        tokenLogprobs = try c.decode([Double?].self, forKey: .tokenLogprobs)
        topLogprobs = try c.decodeIfPresent([[String: Double]?].self, forKey: .topLogprobs) ?? []
        textOffset = try c.decodeIfPresent([Int].self, forKey: .textOffset) ?? []
    }

    /// Null elements stay null (not omitted), and every number is floored to finite JSON.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(tokens, forKey: .tokens)
        try c.encode(tokenLogprobs.map { $0.map(WireLogprob.finite) }, forKey: .tokenLogprobs)
        try c.encode(topLogprobs.map { $0?.mapValues(WireLogprob.finite) }, forKey: .topLogprobs)
        try c.encode(textOffset, forKey: .textOffset)
    }
}
