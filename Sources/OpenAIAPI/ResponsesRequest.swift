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
    public var tools: [JSONValue]?
    public var toolChoice: JSONValue?
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

    /// The conversation as (role, text) turns: `instructions` first as a system turn, then
    /// the input; `developer` turns become system turns (chat templates know `system`).
    public func turns() -> [(role: String, text: String)] {
        var out: [(String, String)] = []
        if let instructions, !instructions.isEmpty { out.append(("system", instructions)) }
        switch input {
        case let .text(t): out.append(("user", t))
        case let .items(items):
            for item in items { out.append((item.role == "developer" ? "system" : item.role, item.text)) }
        }
        return out
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
        if let tools, !tools.isEmpty {
            throw .invalidValue("tools", "'tools' are not supported by /v1/responses yet; use /v1/chat/completions without tools, or leave 'tools' out.")
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

/// One input message: `{"role", "content"}` (with or without `"type": "message"`), where
/// content is a text or a list of `input_text` / `output_text` parts.
public struct ResponseInputItem: Codable, Sendable, Equatable {
    public var role: String
    public var text: String

    public static let roles: Set<String> = ["user", "assistant", "system", "developer"]

    enum CodingKeys: String, CodingKey { case type, role, content }

    struct Part: Decodable {
        var type: String
        var text: String?
    }

    public init(role: String, text: String) {
        self.role = role
        self.text = text
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = try c.decodeIfPresent(String.self, forKey: .type) ?? "message"
        guard type == "message" else {
            throw DecodingError.dataCorruptedError(forKey: .type, in: c, debugDescription:
                "input item type '\(type)' is not supported (supported: messages with input_text/output_text content; function calls need tools, which /v1/responses does not support yet)")
        }
        role = try c.decode(String.self, forKey: .role)
        guard Self.roles.contains(role) else {
            throw DecodingError.dataCorruptedError(forKey: .role, in: c, debugDescription: "role '\(role)' must be user, assistant, system or developer")
        }
        if let s = try? c.decode(String.self, forKey: .content) {
            text = s
        } else {
            let parts = try c.decode([Part].self, forKey: .content)
            var out = ""
            for part in parts {
                guard part.type == "input_text" || part.type == "output_text", let t = part.text else {
                    throw DecodingError.dataCorruptedError(forKey: .content, in: c, debugDescription:
                        "content part type '\(part.type)' is not supported (supported: input_text, output_text)")
                }
                out += t
            }
            text = out
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode("message", forKey: .type)
        try c.encode(role, forKey: .role)
        try c.encode(text, forKey: .content)
    }
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
