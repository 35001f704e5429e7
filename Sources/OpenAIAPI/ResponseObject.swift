/// The Responses API's `response` object, and the streaming events around it.
public struct ResponseObject: Codable, Sendable, Equatable {
    public struct OutputText: Codable, Sendable, Equatable {
        public var type = "output_text"
        public var text: String
        public var annotations: [JSONValue] = []

        public init(text: String) { self.text = text }
    }

    /// An assistant message in `output`.
    public struct OutputMessage: Codable, Sendable, Equatable {
        public var type = "message"
        public var id: String
        public var status: String
        public var role = "assistant"
        public var content: [OutputText]

        public init(id: String, status: String, content: [OutputText]) {
            self.id = id
            self.status = status
            self.content = content
        }
    }

    /// A function call in `output`.
    public struct FunctionCallItem: Codable, Sendable, Equatable {
        public var type = "function_call"
        public var id: String
        public var callId: String
        public var name: String
        public var arguments: String
        public var status: String

        public init(id: String, callId: String, name: String, arguments: String, status: String) {
            self.id = id
            self.callId = callId
            self.name = name
            self.arguments = arguments
            self.status = status
        }

        enum CodingKeys: String, CodingKey {
            case type, id, name, arguments, status
            case callId = "call_id"
        }
    }

    /// One entry of `output`: an assistant message or a function call.
    public enum OutputItem: Codable, Sendable, Equatable {
        case message(OutputMessage)
        case functionCall(FunctionCallItem)

        public init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let call = try? c.decode(FunctionCallItem.self), call.type == "function_call" { self = .functionCall(call); return }
            self = .message(try c.decode(OutputMessage.self))
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case let .message(m): try c.encode(m)
            case let .functionCall(f): try c.encode(f)
            }
        }
    }

    public struct Usage: Codable, Sendable, Equatable {
        public struct InputDetails: Codable, Sendable, Equatable { public var cachedTokens = 0
            enum CodingKeys: String, CodingKey { case cachedTokens = "cached_tokens" } }
        public struct OutputDetails: Codable, Sendable, Equatable { public var reasoningTokens = 0
            enum CodingKeys: String, CodingKey { case reasoningTokens = "reasoning_tokens" } }
        public var inputTokens: Int
        public var inputTokensDetails = InputDetails()
        public var outputTokens: Int
        public var outputTokensDetails = OutputDetails()
        public var totalTokens: Int

        public init(inputTokens: Int, outputTokens: Int) {
            self.inputTokens = inputTokens
            self.outputTokens = outputTokens
            totalTokens = inputTokens + outputTokens
        }

        enum CodingKeys: String, CodingKey {
            case inputTokens = "input_tokens", inputTokensDetails = "input_tokens_details"
            case outputTokens = "output_tokens", outputTokensDetails = "output_tokens_details"
            case totalTokens = "total_tokens"
        }
    }

    public struct IncompleteDetails: Codable, Sendable, Equatable {
        public var reason: String
        public init(reason: String) { self.reason = reason }
    }

    public var id: String
    public var object = "response"
    public var createdAt: Int
    /// `in_progress`, `completed` or `incomplete`.
    public var status: String
    public var model: String
    public var output: [OutputItem]
    public var usage: Usage?
    public var incompleteDetails: IncompleteDetails?
    public var error: JSONValue? = nil
    public var instructions: String?
    public var maxOutputTokens: Int?
    public var temperature: Double
    public var topP: Double
    public var toolChoice: JSONValue = .string("auto")
    public var tools: [JSONValue] = []
    public var parallelToolCalls = true
    public var text: ResponseTextConfig
    public var metadata: [String: String]
    public var previousResponseId: String? = nil
    public var store = false
    public var truncation = "disabled"
    public var user: String?

    public init(id: String, createdAt: Int, status: String, model: String, output: [OutputItem], usage: Usage?,
                incompleteDetails: IncompleteDetails?, request: ResponsesRequest) {
        self.id = id
        self.createdAt = createdAt
        self.status = status
        self.model = model
        self.output = output
        self.usage = usage
        self.incompleteDetails = incompleteDetails
        instructions = request.instructions
        maxOutputTokens = request.maxOutputTokens
        temperature = request.temperature ?? 1
        topP = request.topP ?? 1
        text = request.text ?? ResponseTextConfig(format: ResponseTextFormat(type: "text"))
        tools = (request.tools ?? []).map { tool in
            var o: [String: JSONValue] = ["type": .string("function"), "name": .string(tool.name),
                                          "parameters": tool.function.parametersSchema, "strict": .bool(tool.strict ?? true)]
            if let d = tool.description { o["description"] = .string(d) }
            return .object(o)
        }
        switch request.toolChoice {
        case .none?: toolChoice = .string("none")
        case .required?: toolChoice = .string("required")
        case let .function(name)?: toolChoice = .object(["type": .string("function"), "name": .string(name)])
        default: toolChoice = .string("auto")
        }
        parallelToolCalls = request.parallelToolCalls ?? true
        metadata = request.metadata ?? [:]
        truncation = request.truncation ?? "disabled"
        user = request.user
    }

    enum CodingKeys: String, CodingKey {
        case id, object, status, model, output, usage, error, instructions, temperature, tools, text, metadata, store, truncation, user
        case createdAt = "created_at"
        case incompleteDetails = "incomplete_details"
        case maxOutputTokens = "max_output_tokens"
        case topP = "top_p"
        case toolChoice = "tool_choice"
        case parallelToolCalls = "parallel_tool_calls"
        case previousResponseId = "previous_response_id"
    }

    /// Encodes nil optionals as `null`: clients read `incomplete_details`, `error` and
    /// `previous_response_id` as always present.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(object, forKey: .object)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(status, forKey: .status)
        try c.encode(model, forKey: .model)
        try c.encode(output, forKey: .output)
        try c.encode(usage, forKey: .usage)
        try c.encode(incompleteDetails, forKey: .incompleteDetails)
        try c.encode(error, forKey: .error)
        try c.encode(instructions, forKey: .instructions)
        try c.encode(maxOutputTokens, forKey: .maxOutputTokens)
        try c.encode(temperature, forKey: .temperature)
        try c.encode(topP, forKey: .topP)
        try c.encode(toolChoice, forKey: .toolChoice)
        try c.encode(tools, forKey: .tools)
        try c.encode(parallelToolCalls, forKey: .parallelToolCalls)
        try c.encode(text, forKey: .text)
        try c.encode(metadata, forKey: .metadata)
        try c.encode(previousResponseId, forKey: .previousResponseId)
        try c.encode(store, forKey: .store)
        try c.encode(truncation, forKey: .truncation)
        try c.encode(user, forKey: .user)
    }
}

/// One streaming event of the Responses API: `event: TYPE` and `data: {"type": TYPE,
/// "sequence_number": n, …}`. The stream has no `[DONE]` line; it ends after
/// `response.completed` (or `response.incomplete` / `error`).
public struct ResponseStreamEvent: Encodable, Sendable {
    public var type: String
    public var sequenceNumber: Int
    public var response: ResponseObject?
    public var outputIndex: Int?
    public var contentIndex: Int?
    public var itemId: String?
    public var item: ResponseObject.OutputItem?
    public var arguments: String?
    public var name: String?
    public var part: ResponseObject.OutputText?
    public var delta: String?
    public var text: String?
    public var logprobs: [JSONValue]?
    /// For `error` events.
    public var message: String?
    public var code: String?
    public var param: String?

    public init(type: String, sequenceNumber: Int) {
        self.type = type
        self.sequenceNumber = sequenceNumber
    }

    enum CodingKeys: String, CodingKey {
        case type, response, item, part, delta, text, logprobs, message, code, param, arguments, name
        case sequenceNumber = "sequence_number"
        case outputIndex = "output_index"
        case contentIndex = "content_index"
        case itemId = "item_id"
    }

    /// The SSE frame.
    public var frame: String { "event: \(type)\n" + ServerSentEvents.data(self) }
}
