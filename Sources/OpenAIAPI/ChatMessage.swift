/// One message of a chat request. `role` is kept as the client's string so that an
/// unknown role becomes a typed 400 from `validate()` rather than an opaque decode error.
public struct ChatMessage: Codable, Sendable, Equatable {
    public var role: String
    public var content: MessageContent?
    public var name: String?
    /// An assistant turn's calls (`content` may then be null).
    public var toolCalls: [ToolCall]?
    /// A `tool` turn answers this call.
    public var toolCallId: String?

    public init(role: String, content: MessageContent?, name: String? = nil, toolCalls: [ToolCall]? = nil, toolCallId: String? = nil) {
        self.role = role
        self.content = content
        self.name = name
        self.toolCalls = toolCalls
        self.toolCallId = toolCallId
    }

    enum CodingKeys: String, CodingKey {
        case role, content, name
        case toolCalls = "tool_calls"
        case toolCallId = "tool_call_id"
    }

    public init(role: Role, text: String) {
        self.init(role: role.rawValue, content: .text(text))
    }

    /// The role, if it is one Aqyl understands.
    public var knownRole: Role? { Role(rawValue: role) }

    /// The message as plain text, whichever content form the client used.
    public var text: String { content?.text ?? "" }

    /// The roles OpenAI defines; `developer` is the newer name for `system`.
    public enum Role: String, Codable, Sendable, CaseIterable {
        case system, developer, user, assistant, tool
    }
}

/// Message content: the classic string, or the newer array of typed parts that the
/// official clients send (and vision clients always send). Only text parts are served.
public enum MessageContent: Codable, Sendable, Equatable {
    case text(String)
    case parts([ContentPart])

    /// Text parts joined by newlines (vLLM's convention); non-text parts contribute nothing.
    public var text: String {
        switch self {
        case .text(let s): s
        case .parts(let parts): parts.compactMap(\.text).joined(separator: "\n")
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let s = try? container.decode(String.self) {
            self = .text(s)
        } else if let parts = try? container.decode([ContentPart].self) {
            self = .parts(parts)
        } else {
            throw DecodingError.typeMismatch(MessageContent.self, .init(
                codingPath: decoder.codingPath,
                debugDescription: "content must be a string or an array of content parts"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let s): try container.encode(s)
        case .parts(let parts): try container.encode(parts)
        }
    }
}

/// One element of array content, e.g. `{"type":"text","text":"Hi"}`. Other part types
/// (`image_url`, `input_audio`) decode so that validation can name them in its error.
public struct ContentPart: Codable, Sendable, Equatable {
    public var type: String
    public var text: String?

    public init(text: String) {
        self.type = "text"
        self.text = text
    }

    public init(type: String, text: String? = nil) {
        self.type = type
        self.text = text
    }
}
