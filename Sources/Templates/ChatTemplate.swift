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
