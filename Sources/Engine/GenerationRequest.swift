import Models
import StructuredOutput
/// One generation to schedule: a tokenized prompt and how to continue it.
public struct GenerationRequest: Sendable {
    public var prompt: [Int32]
    /// Tokens to generate at most; 0 scores the prompt only (with `promptLogprobs`).
    public var maxTokens: Int
    public var sampling: SamplingParameters
    public var stop: [String]
    /// Alternatives per generated token; nil = no logprobs for generated tokens.
    public var logprobs: Int?
    /// Alternatives per prompt token; nil = no prompt logprobs (they force a full
    /// prompt evaluation, without KV prefix reuse).
    public var promptLogprobs: Int?
    /// Constrain the output to one JSON object (`response_format: json_object`).
    public var jsonObject: Bool
    /// Constrain the output to a value valid under this schema (`response_format: json_schema`).
    public var jsonSchema: CompiledSchema?
    /// Tool calls the answer may (or must) make, constrained to the tools' schemas.
    public var toolCalls: ToolCallPlan?
    /// Evaluate the prompt only and return its pooled embedding (`/v1/embeddings`):
    /// every prompt token is evaluated (no prefix reuse) and no token is generated.
    public var embedding: EmbeddingPooling?
    /// LoRA adapters to run this request with (nil: the base model). Requests
    /// with different adapters share the base weights and the same batches.
    public var adapters: AdapterStack?

    public init(prompt: [Int32], maxTokens: Int, sampling: SamplingParameters = SamplingParameters(),
                stop: [String] = [], logprobs: Int? = nil, promptLogprobs: Int? = nil, jsonObject: Bool = false,
                jsonSchema: CompiledSchema? = nil, toolCalls: ToolCallPlan? = nil, embedding: EmbeddingPooling? = nil,
                adapters: AdapterStack? = nil) {
        self.jsonObject = jsonObject
        self.toolCalls = toolCalls
        self.embedding = embedding
        self.jsonSchema = jsonSchema
        self.adapters = adapters
        self.prompt = prompt
        self.maxTokens = maxTokens
        self.sampling = sampling
        self.stop = stop
        self.logprobs = logprobs
        self.promptLogprobs = promptLogprobs
    }
}

/// What a scheduled generation streams, in order: prompt logprobs (if asked),
/// then text pieces and token logprobs as they come, then the result.
public enum GenerationEvent: Sendable {
    /// One entry per prompt token; the first is nil (it has no context).
    case promptLogprobs([TokenLogprob?])
    case text(String)
    case tokenLogprob(TokenLogprob)
    case finished(GenerationResult)
}

/// Why the scheduler refused or dropped a request.
public enum SchedulerError: Error, Equatable, CustomStringConvertible {
    /// Every slot is busy and the wait queue is full.
    case queueFull(limit: Int)
    case shuttingDown
    case promptTooLong(tokens: Int, context: Int)
    case emptyPrompt
    case tokenOutOfVocabulary(Int32, vocabulary: Int)

    public var description: String {
        switch self {
        case let .queueFull(limit): return "the server is busy: \(limit) requests are already waiting"
        case .shuttingDown: return "the server is shutting down"
        case let .promptTooLong(t, c): return "the prompt has \(t) tokens but the context holds \(c)"
        case .emptyPrompt: return "the prompt is empty (no tokens)"
        case let .tokenOutOfVocabulary(t, v): return "token id \(t) is outside the vocabulary of \(v)"
        }
    }
}
