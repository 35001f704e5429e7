/// One SSE event of a streamed chat answer. Every chunk of a stream shares `id`;
/// the first delta carries `role`, the last choice carries `finish_reason`, and with
/// `stream_options.include_usage` a final chunk has `choices: []` and `usage`.
public struct ChatCompletionChunk: Codable, Sendable, Equatable {
    public var id: String
    public var object: String = "chat.completion.chunk"
    public var created: Int
    public var model: String
    public var choices: [Choice]
    /// Present only on the usage-only chunk; omitted elsewhere.
    public var usage: Usage?

    public init(id: String, created: Int, model: String, choices: [Choice], usage: Usage? = nil) {
        self.id = id
        self.created = created
        self.model = model
        self.choices = choices
        self.usage = usage
    }

    /// The opening chunk: the role, no text yet.
    public static func roleChunk(id: String, created: Int, model: String) -> ChatCompletionChunk {
        ChatCompletionChunk(id: id, created: created, model: model,
                            choices: [Choice(delta: Delta(role: "assistant", content: ""))])
    }

    /// A chunk with a piece of generated text.
    public static func content(_ text: String, id: String, created: Int, model: String,
                               logprobs: ChatLogprobs? = nil) -> ChatCompletionChunk {
        ChatCompletionChunk(id: id, created: created, model: model,
                            choices: [Choice(delta: Delta(content: text), logprobs: logprobs)])
    }

    /// The closing chunk of a choice: empty delta, a finish reason.
    public static func finish(_ reason: FinishReason, id: String, created: Int, model: String) -> ChatCompletionChunk {
        ChatCompletionChunk(id: id, created: created, model: model,
                            choices: [Choice(delta: Delta(), finishReason: reason)])
    }

    /// The final usage-only chunk sent when `stream_options.include_usage` is true.
    public static func usageOnly(_ usage: Usage, id: String, created: Int, model: String) -> ChatCompletionChunk {
        ChatCompletionChunk(id: id, created: created, model: model, choices: [], usage: usage)
    }

    /// A streamed choice. `finish_reason` is written as null until the last chunk, like OpenAI.
    public struct Choice: Codable, Sendable, Equatable {
        public var index: Int
        public var delta: Delta
        public var logprobs: ChatLogprobs?
        public var finishReason: FinishReason?

        public init(index: Int = 0, delta: Delta, logprobs: ChatLogprobs? = nil, finishReason: FinishReason? = nil) {
            self.index = index
            self.delta = delta
            self.logprobs = logprobs
            self.finishReason = finishReason
        }

        enum CodingKeys: String, CodingKey {
            case index, delta, logprobs
            case finishReason = "finish_reason"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(index, forKey: .index)
            try c.encode(delta, forKey: .delta)
            try c.encodeIfPresent(logprobs, forKey: .logprobs)
            try c.encode(finishReason, forKey: .finishReason)
        }
    }

    /// The increment of the message; fields absent from a delta are omitted.
    public struct Delta: Codable, Sendable, Equatable {
        public var role: String?
        public var content: String?
        public var toolCalls: [ToolCallDelta]?

        public init(role: String? = nil, content: String? = nil, toolCalls: [ToolCallDelta]? = nil) {
            self.role = role
            self.content = content
            self.toolCalls = toolCalls
        }

        enum CodingKeys: String, CodingKey {
            case role, content
            case toolCalls = "tool_calls"
        }
    }

    /// A chunk with pieces of tool calls.
    public static func toolCalls(_ calls: [ToolCallDelta], id: String, created: Int, model: String) -> ChatCompletionChunk {
        ChatCompletionChunk(id: id, created: created, model: model, choices: [Choice(delta: Delta(toolCalls: calls))])
    }
}
