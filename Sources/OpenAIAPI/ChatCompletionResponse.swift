/// The non-streamed answer to `POST /v1/chat/completions`.
public struct ChatCompletionResponse: Codable, Sendable, Equatable {
    public var id: String
    public var object: String = "chat.completion"
    public var created: Int
    public var model: String
    public var choices: [Choice]
    public var usage: Usage

    public init(id: String, created: Int, model: String, choices: [Choice], usage: Usage) {
        self.id = id
        self.created = created
        self.model = model
        self.choices = choices
        self.usage = usage
    }

    /// One answer. `finish_reason` and `logprobs` are always written (null when absent),
    /// matching OpenAI, because some clients index them without checking.
    public struct Choice: Codable, Sendable, Equatable {
        public var index: Int
        public var message: AssistantMessage
        public var finishReason: FinishReason?
        public var logprobs: ChatLogprobs?

        public init(index: Int = 0, message: AssistantMessage, finishReason: FinishReason?, logprobs: ChatLogprobs? = nil) {
            self.index = index
            self.message = message
            self.finishReason = finishReason
            self.logprobs = logprobs
        }

        enum CodingKeys: String, CodingKey {
            case index, message, logprobs
            case finishReason = "finish_reason"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(index, forKey: .index)
            try c.encode(message, forKey: .message)
            try c.encode(logprobs, forKey: .logprobs)
            try c.encode(finishReason, forKey: .finishReason)
        }
    }
}

/// The generated message in a non-streamed answer.
public struct AssistantMessage: Codable, Sendable, Equatable {
    public var role: String
    public var content: String?
    public var toolCalls: [ToolCall]?

    public init(content: String?, role: String = "assistant", toolCalls: [ToolCall]? = nil) {
        self.role = role
        self.content = content
        self.toolCalls = toolCalls
    }

    /// `content` is written even when null, as OpenAI does; `tool_calls` only when there are some.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(role, forKey: .role)
        try c.encode(content, forKey: .content)
        if let toolCalls, !toolCalls.isEmpty { try c.encode(toolCalls, forKey: .toolCalls) }
    }

    enum CodingKeys: String, CodingKey {
        case role, content
        case toolCalls = "tool_calls"
    }
}
