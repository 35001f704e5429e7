import Foundation

/// `POST /v1/responses` body (the Responses API), stateless: the whole conversation
/// comes in `input`; `previous_response_id` and stored responses are not kept.
public struct ResponsesRequest: Codable, Sendable, Equatable {
    public var model: String
    public var input: ResponsesInput
    public var instructions: String?
    public var stream: Bool?
    public var maxOutputTokens: Int?
    public var temperature: Double?
    public var topP: Double?
    public var text: ResponseTextConfig?
    public var tools: [ResponseTool]?
    public var toolChoice: ToolChoice?
    public var parallelToolCalls: Bool?
    public var previousResponseId: String?
    public var store: Bool?
    public var metadata: [String: String]?
    public var user: String?
    public var truncation: String?

    public init(model: String, input: ResponsesInput) {
        self.model = model
        self.input = input
    }

    enum CodingKeys: String, CodingKey {
        case model, input, instructions, stream, temperature, text, tools, store, metadata, user, truncation
        case maxOutputTokens = "max_output_tokens"
        case topP = "top_p"
        case toolChoice = "tool_choice"
        case parallelToolCalls = "parallel_tool_calls"
        case previousResponseId = "previous_response_id"
    }

    public var isStreaming: Bool { stream ?? false }

    /// The conversation as messages: `instructions` first as a system turn, then the input;
    /// `developer` turns become system turns (chat templates know `system`); consecutive
    /// `function_call` items become one assistant turn's calls, `function_call_output`
    /// items tool turns.
    public func conversation() -> [ConversationTurn] {
        var out: [ConversationTurn] = []
        if let instructions, !instructions.isEmpty { out.append(.init(role: "system", text: instructions)) }
        switch input {
        case let .text(t): out.append(.init(role: "user", text: t))
        case let .items(items):
            for item in items {
                switch item {
                case let .message(role, text):
                    out.append(.init(role: role == "developer" ? "system" : role, text: text))
                case let .functionCall(callID, name, arguments):
                    let call = ToolCall(id: callID, name: name, arguments: arguments)
                    if let last = out.last, last.role == "assistant" {  // calls after a message: one assistant turn
                        out[out.count - 1].toolCalls.append(call)
                    } else {
                        out.append(.init(role: "assistant", text: "", toolCalls: [call]))
                    }
                case let .functionCallOutput(callID, output):
                    out.append(.init(role: "tool", text: output, toolCallID: callID))
                }
            }
        }
        return out
    }

    /// The functions in effect (none with `tool_choice: none`), checked.
    public func compiledTools() throws(APIError) -> [(function: FunctionDefinition, schema: CompiledSchema)] {
        let tools = tools ?? []
        return try FunctionTools.compile(tools.map(\.function), types: tools.map(\.type)) { "tools[\($0)]" }
    }

    /// Checks everything that needs no model.
    public func validate() throws(APIError) {
        switch input {
        case let .text(t) where t.isEmpty: throw .invalidValue("input", "'input' must not be empty.")
        case let .items(items) where items.isEmpty: throw .invalidValue("input", "'input' must not be empty.")
        default: break
        }
        if previousResponseId != nil {
            throw .invalidValue("previous_response_id", "Aqyl's Responses API is stateless: responses are not stored, so send the whole conversation in 'input' instead of 'previous_response_id'.")
        }
        let compiled = try compiledTools()
        try FunctionTools.checkChoice(toolChoice, names: compiled.map(\.function.name))
        if !compiled.isEmpty, toolChoice != ToolChoice.none, let format = text?.format?.type, format != "text" {
            throw .invalidValue("text.format", "'text.format' \(format) together with 'tools' is not supported yet; use one or the other.")
        }
        var calls = Set<String>()
        if case let .items(items) = input {
            for (i, item) in items.enumerated() {
                switch item {
                case let .functionCall(id, name, _):
                    guard !id.isEmpty, FunctionTools.isFunctionName(name) else {
                        throw .invalidValue("input[\(i)]", "A function_call item needs a 'call_id' and a 'name' of 1 to 64 letters, digits, '_' or '-'.")
                    }
                    calls.insert(id)
                case let .functionCallOutput(id, _):
                    guard calls.contains(id) else {
                        throw .invalidValue("input[\(i)].call_id", "'call_id' '\(id.prefix(80))' answers no earlier function_call item.")
                    }
                case .message: break
                }
            }
        }
        try Validation.range("temperature", temperature, 0...2)
        try Validation.range("top_p", topP, 0...1)
        try Validation.atLeastOne("max_output_tokens", maxOutputTokens)
        if let truncation, truncation != "disabled", truncation != "auto" {
            throw .invalidValue("truncation", "'truncation' must be 'disabled' or 'auto', got '\(truncation)'.")
        }
        if let format = text?.format {
            switch format.type {
            case "text", "json_object": break
            case "json_schema": _ = try outputSchema()
            default:
                throw .invalidValue("text.format.type", "text.format type '\(format.type)' is not supported; use 'text', 'json_object' or 'json_schema'.")
            }
        }
    }

    /// `text.format` json_schema, compiled; nil for other formats.
    public func outputSchema() throws(APIError) -> CompiledSchema? {
        guard let format = text?.format, format.type == "json_schema" else { return nil }
        return try JSONSchemaFormat.compile(
            JSONSchemaFormat(name: format.name ?? "", description: format.description, schema: format.schema, strict: format.strict),
            param: "text.format")
    }

    public var wantsJSONObject: Bool { text?.format?.type == "json_object" }
}

/// `input`: a text, or a list of message items.
public enum ResponsesInput: Codable, Sendable, Equatable {
    case text(String)
    case items([ResponseInputItem])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self) { self = .text(s); return }
        self = .items(try c.decode([ResponseInputItem].self))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case let .text(s): try c.encode(s)
        case let .items(items): try c.encode(items)
        }
    }
}

/// One conversation turn as the chat template will see it.
public struct ConversationTurn: Sendable, Equatable {
    public var role: String
    public var text: String
    public var toolCalls: [ToolCall] = []
    public var toolCallID: String?

    public init(role: String, text: String, toolCalls: [ToolCall] = [], toolCallID: String? = nil) {
        self.role = role
        self.text = text
        self.toolCalls = toolCalls
        self.toolCallID = toolCallID
    }
}

/// One input item: a message `{"role", "content"}` (with or without `"type": "message"`,
/// content a text or `input_text` / `output_text` parts), a `function_call` the model
/// made earlier, or a `function_call_output` answering one.
public enum ResponseInputItem: Codable, Sendable, Equatable {
    case message(role: String, text: String)
    case functionCall(callID: String, name: String, arguments: String)
    case functionCallOutput(callID: String, output: String)

    public static let roles: Set<String> = ["user", "assistant", "system", "developer"]

    enum CodingKeys: String, CodingKey { case type, role, content, name, arguments, output
        case callID = "call_id" }

    struct Part: Decodable {
        var type: String
        var text: String?
    }

    public var role: String {
        switch self {
        case let .message(role, _): return role
        case .functionCall: return "assistant"
        case .functionCallOutput: return "tool"
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = try c.decodeIfPresent(String.self, forKey: .type) ?? "message"
        switch type {
        case "function_call":
            self = .functionCall(callID: try c.decode(String.self, forKey: .callID), name: try c.decode(String.self, forKey: .name),
                                 arguments: try c.decode(String.self, forKey: .arguments))
            return
        case "function_call_output":
            self = .functionCallOutput(callID: try c.decode(String.self, forKey: .callID), output: try c.decode(String.self, forKey: .output))
            return
        case "message": break
        default:
            throw DecodingError.dataCorruptedError(forKey: .type, in: c, debugDescription:
                "input item type '\(type)' is not supported (supported: message, function_call, function_call_output)")
        }
        let role = try c.decode(String.self, forKey: .role)
        guard Self.roles.contains(role) else {
            throw DecodingError.dataCorruptedError(forKey: .role, in: c, debugDescription: "role '\(role)' must be user, assistant, system or developer")
        }
        if let s = try? c.decode(String.self, forKey: .content) {
            self = .message(role: role, text: s)
            return
        }
        let parts = try c.decode([Part].self, forKey: .content)
        var out = ""
        for part in parts {
            guard part.type == "input_text" || part.type == "output_text", let t = part.text else {
                throw DecodingError.dataCorruptedError(forKey: .content, in: c, debugDescription:
                    "content part type '\(part.type)' is not supported (supported: input_text, output_text)")
            }
            out += t
        }
        self = .message(role: role, text: out)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case let .message(role, text):
            try c.encode("message", forKey: .type)
            try c.encode(role, forKey: .role)
            try c.encode(text, forKey: .content)
        case let .functionCall(id, name, arguments):
            try c.encode("function_call", forKey: .type)
            try c.encode(id, forKey: .callID)
            try c.encode(name, forKey: .name)
            try c.encode(arguments, forKey: .arguments)
        case let .functionCallOutput(id, output):
            try c.encode("function_call_output", forKey: .type)
            try c.encode(id, forKey: .callID)
            try c.encode(output, forKey: .output)
        }
    }
}

/// A Responses API tool: the function's fields sit next to `type` (no `function` wrapper).
public struct ResponseTool: Codable, Sendable, Equatable {
    public var type: String
    public var name: String
    public var description: String?
    public var parameters: JSONValue?
    public var strict: Bool?

    public init(name: String, description: String? = nil, parameters: JSONValue? = nil, strict: Bool? = nil) {
        type = "function"
        self.name = name
        self.description = description
        self.parameters = parameters
        self.strict = strict
    }

    public var function: FunctionDefinition { FunctionDefinition(name: name, description: description, parameters: parameters, strict: strict) }
}

/// `text`: `{"format": {"type": "text" | "json_object" | "json_schema", …}}`.
public struct ResponseTextConfig: Codable, Sendable, Equatable {
    public var format: ResponseTextFormat?

    public init(format: ResponseTextFormat?) { self.format = format }
}

/// In the Responses API the json_schema fields sit next to `type`.
public struct ResponseTextFormat: Codable, Sendable, Equatable {
    public var type: String
    public var name: String?
    public var description: String?
    public var schema: JSONValue?
    public var strict: Bool?

    public init(type: String, name: String? = nil, description: String? = nil, schema: JSONValue? = nil, strict: Bool? = nil) {
        self.type = type
        self.name = name
        self.description = description
        self.schema = schema
        self.strict = strict
    }
}
