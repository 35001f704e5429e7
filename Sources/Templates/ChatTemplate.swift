/// One chat message.
public struct ChatMessage: Sendable, Codable, Equatable {
    /// A call an assistant turn made: `arguments` is the JSON text of the arguments object.
    public struct ToolCall: Sendable, Codable, Equatable {
        public var id: String
        public var name: String
        public var arguments: String

        public init(id: String, name: String, arguments: String) {
            self.id = id
            self.name = name
            self.arguments = arguments
        }
    }

    public var role: String
    public var content: String
    /// An assistant turn's tool calls (its `content` may then be empty, rendered as none).
    public var toolCalls: [ToolCall] = []
    /// The call a `tool` turn answers.
    public var toolCallID: String?
    public var name: String?

    public init(role: String, content: String, toolCalls: [ToolCall] = [], toolCallID: String? = nil, name: String? = nil) {
        self.role = role
        self.content = content
        self.toolCalls = toolCalls
        self.toolCallID = toolCallID
        self.name = name
    }

    /// The message as HF chat templates read it: `role`, `content`, and when present
    /// `tool_calls` (`[{"id", "type": "function", "function": {"name", "arguments"}}]`, the
    /// arguments as an object, which templates pass through `tojson`), `tool_call_id`, `name`.
    public var templateValue: TemplateValue {
        var pairs: [(String, TemplateValue)] = [
            ("role", .string(role)),
            ("content", toolCalls.isEmpty || !content.isEmpty ? .string(content) : .none),
        ]
        if !toolCalls.isEmpty {
            pairs.append(("tool_calls", .array(toolCalls.map { call in
                let arguments = (try? TemplateValue.parseJSON(call.arguments)) ?? .string(call.arguments)
                return .object(TemplateObject([
                    ("id", .string(call.id)), ("type", .string("function")),
                    ("function", .object(TemplateObject([("name", .string(call.name)), ("arguments", arguments)]))),
                ]))
            })))
        }
        if let toolCallID { pairs.append(("tool_call_id", .string(toolCallID))) }
        if let name { pairs.append(("name", .string(name))) }
        return .object(TemplateObject(pairs))
    }
}

extension TemplateValue {
    /// Parses JSON text, keeping object key order (for tool definitions and arguments).
    public static func parseJSON(_ text: String) throws -> TemplateValue { try JSONReader.parse(text) }

    /// Compact JSON text (`{"a":1,"b":[true]}`), keys in their order.
    public var compactJSON: String { compactJSONText(self) }

    /// Every string inside, transformed (keys too): used to escape special-token text in
    /// tool definitions and arguments the way message contents are escaped.
    public func mapStrings(_ transform: (String) throws -> String) rethrows -> TemplateValue {
        switch self {
        case let .string(s): return .string(try transform(s))
        case let .array(items): return .array(try items.map { try $0.mapStrings(transform) })
        case let .object(o):
            return .object(TemplateObject(try o.pairs.map { (try transform($0.0), try $0.1.mapStrings(transform)) }))
        default: return self
        }
    }
}

/// A parsed Jinja chat template (the `tokenizer.chat_template` of a model).
public struct ChatTemplate: Sendable {
    public let source: String
    private let body: [Stmt]
    public var limits: TemplateLimits

    /// Parses the source once; throws `TemplateError.syntax` with a location on malformed input.
    public init(source: String, limits: TemplateLimits = TemplateLimits()) throws {
        self.source = source
        self.limits = limits
        self.body = try Parser.parse(source)
    }

    /// Renders with an arbitrary context, under `limits`.
    public func render(_ context: [String: TemplateValue]) throws -> String {
        let it = Interpreter(limits: limits)
        defer { it.finish() }
        let scope = Scope(parent: nil)
        for (k, v) in context { scope.set(k, Value(v)) }
        _ = try it.exec(body, scope)
        return it.out
    }

    /// Checks at model load time that the template can render at all: renders a one-message
    /// conversation (`user: "Hello"`, generation prompt on, empty BOS/EOS) under `limits`.
    ///
    /// Throws what a real render would throw for a template that cannot be used: `.syntax`,
    /// `.runtime` (e.g. an unknown function) and `.limitExceeded` (a template that loops, recurses
    /// or allocates without bound). A template's own `raise_exception` (`.raised`, e.g. "roles must
    /// alternate" or "system message required") is legitimate behaviour for some conversations,
    /// so it is not an error here.
    public func probe() throws {
        do {
            _ = try render(messages: [ChatMessage(role: "user", content: "Hello")], addGenerationPrompt: true,
                           bosToken: "", eosToken: "")
        } catch TemplateError.raised {
            return
        }
    }

    /// Renders messages the way HF `apply_chat_template` does: the context has `messages`,
    /// `tools` and `documents` (none), `add_generation_prompt`, `bos_token`, `eos_token`, then `extra`
    /// (which may override any of them, e.g. `tools`, `enable_thinking`, `date_string`).
    public func render(messages: [ChatMessage], addGenerationPrompt: Bool, bosToken: String, eosToken: String,
                       extra: [String: TemplateValue] = [:]) throws -> String {
        var context: [String: TemplateValue] = [
            "messages": .array(messages.map(\.templateValue)),
            "tools": .none,
            "documents": .none,
            "add_generation_prompt": .bool(addGenerationPrompt),
            "bos_token": .string(bosToken),
            "eos_token": .string(eosToken),
        ]
        for (k, v) in extra { context[k] = v }
        return try render(context)
    }
}

/// Compact JSON of a template value (outside the extension, where `Value` is the interpreter's type).
func compactJSONText(_ v: TemplateValue) -> String {
    var out = ""
    JSONWriter.write(Value(v), indent: nil, sortKeys: false, level: 0, into: &out, itemSeparator: ",", keySeparator: ":") { _, _ in }
    return out
}
