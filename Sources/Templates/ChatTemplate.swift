/// One chat message.
public struct ChatMessage: Sendable, Codable, Equatable {
    public var role: String
    public var content: String
    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }

    public var templateValue: TemplateValue { .object(["role": .string(role), "content": .string(content)]) }
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

    /// Renders with an arbitrary context.
    public func render(_ context: [String: TemplateValue]) throws -> String {
        let it = Interpreter(limits: limits)
        let scope = Scope(parent: nil)
        for (k, v) in context { scope.set(k, Value(v)) }
        _ = try it.exec(body, scope)
        return it.out
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
