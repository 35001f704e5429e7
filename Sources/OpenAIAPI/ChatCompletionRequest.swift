@_exported import StructuredOutput

/// `POST /v1/chat/completions` body, as the official clients send it. Fields Aqyl does
/// not know are ignored by decoding, the same leniency OpenAI shows for new client fields.
public struct ChatCompletionRequest: Codable, Sendable, Equatable {
    public var model: String
    public var messages: [ChatMessage]
    public var stream: Bool?
    public var streamOptions: StreamOptions?
    public var temperature: Double?
    public var topP: Double?
    /// Deprecated by OpenAI in favour of `maxCompletionTokens`, but most clients still send it.
    public var maxTokens: Int?
    public var maxCompletionTokens: Int?
    public var stop: StopSequences?
    public var seed: Int?
    public var presencePenalty: Double?
    public var frequencyPenalty: Double?
    /// Token id (as a JSON string key, since JSON keys are strings) to additive bias.
    public var logitBias: [String: Double]?
    public var logprobs: Bool?
    public var topLogprobs: Int?
    public var n: Int?
    public var responseFormat: ResponseFormat?
    public var user: String?
    public var tools: [Tool]?
    public var toolChoice: ToolChoice?
    public var parallelToolCalls: Bool?

    public init(model: String, messages: [ChatMessage]) {
        self.model = model
        self.messages = messages
    }

    /// Whether the answer is an SSE stream.
    public var isStreaming: Bool { stream ?? false }

    /// Whether a streamed answer ends with a usage-only chunk.
    public var includesStreamUsage: Bool { streamOptions?.includeUsage ?? false }

    /// The generation budget: `max_completion_tokens` wins over the legacy `max_tokens`.
    public var maxOutputTokens: Int? { maxCompletionTokens ?? maxTokens }

    /// The stop sequences as a list (empty when none).
    public var stopSequences: [String] { stop?.values ?? [] }

    /// `logit_bias` with integer token ids; keys that are not integers are dropped here
    /// and rejected by `validate()`.
    public var tokenBiases: [Int: Double] {
        var out: [Int: Double] = [:]
        for (key, bias) in logitBias ?? [:] {
            if let id = Int(key) { out[id] = bias }
        }
        return out
    }

    /// Whether the client asked for JSON output.
    public var wantsJSONObject: Bool { responseFormat?.type == ResponseFormat.jsonObject }

    /// The compiled `json_schema` the output must follow, nil for other formats; a schema
    /// Aqyl cannot enforce is a 400 naming the keyword.
    public func responseSchema() throws(APIError) -> CompiledSchema? {
        guard let format = responseFormat, format.type == ResponseFormat.jsonSchema else { return nil }
        return try JSONSchemaFormat.compile(format.jsonSchema, param: "response_format.json_schema")
    }

    enum CodingKeys: String, CodingKey {
        case model, messages, stream, temperature, stop, seed, logprobs, n, user
        case streamOptions = "stream_options"
        case topP = "top_p"
        case maxTokens = "max_tokens"
        case maxCompletionTokens = "max_completion_tokens"
        case presencePenalty = "presence_penalty"
        case frequencyPenalty = "frequency_penalty"
        case logitBias = "logit_bias"
        case topLogprobs = "top_logprobs"
        case responseFormat = "response_format"
        case tools
        case toolChoice = "tool_choice"
        case parallelToolCalls = "parallel_tool_calls"
    }
}

/// `stream_options`; only `include_usage` has a meaning so far.
public struct StreamOptions: Codable, Sendable, Equatable {
    public var includeUsage: Bool?

    public init(includeUsage: Bool? = nil) { self.includeUsage = includeUsage }

    enum CodingKeys: String, CodingKey {
        case includeUsage = "include_usage"
    }
}

/// `response_format`. The type stays a string so an unsupported one is a clear 400 from
/// `validate()` instead of a decoding failure.
public struct ResponseFormat: Codable, Sendable, Equatable {
    public static let text = "text"
    public static let jsonObject = "json_object"
    public static let jsonSchema = "json_schema"

    public var type: String
    public var jsonSchema: JSONSchemaFormat?

    public init(type: String, jsonSchema: JSONSchemaFormat? = nil) {
        self.type = type
        self.jsonSchema = jsonSchema
    }

    enum CodingKeys: String, CodingKey {
        case type
        case jsonSchema = "json_schema"
    }
}

/// `response_format.json_schema`: `{name, description?, schema, strict?}`.
public struct JSONSchemaFormat: Codable, Sendable, Equatable {
    public var name: String
    public var description: String?
    public var schema: JSONValue?
    /// OpenAI's "follow the schema exactly"; Aqyl always constrains decoding to the schema.
    public var strict: Bool?

    public init(name: String, description: String? = nil, schema: JSONValue?, strict: Bool? = nil) {
        self.name = name
        self.description = description
        self.schema = schema
        self.strict = strict
    }
}
