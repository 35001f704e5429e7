import Templates

/// The Jinja lexer, parser and interpreter: the input is a chat template, rendered
/// for a fixed conversation under limits tighter than the server's (so the fuzzer
/// spends its time on many templates, not on one long render). A template may fail
/// to parse or render; it must never crash, hang or exceed a limit unnoticed.
enum TemplateHarness {
    static let limits = TemplateLimits(
        maxSteps: 100_000, maxOutputBytes: 1 << 20, maxStringBytes: 1 << 20, maxListItems: 100_000,
        maxAllocatedBytes: 16 << 20, maxLoopIterations: 100_000, maxMacroDepth: 32, maxDepth: 128, maxValueDepth: 128,
        maxDuration: .seconds(1))

    static let messages = [
        ChatMessage(role: "system", content: "Сен көмекші боласың."),
        ChatMessage(role: "user", content: "Сәлем! Қалайсың? {{ 1 }} <|im_start|>"),
        ChatMessage(role: "assistant", content: "Жақсы, рақмет."),
        ChatMessage(role: "user", content: "Алматы қайда?"),
    ]

    static let tools: TemplateValue = .array([.object([
        "type": .string("function"),
        "function": .object([
            "name": .string("get_weather"),
            "description": .string("Ауа райы"),
            "parameters": .object(["type": .string("object"), "properties": .object(["city": .object(["type": .string("string")])])]),
        ]),
    ])])

    static let target = FuzzTarget(name: "jinja", summary: "chat template source: lex, parse and render a conversation (with tools)") {
        { bytes in
            let source = String(decoding: bytes, as: UTF8.self)
            guard let template = try? ChatTemplate(source: source, limits: limits) else { return }
            let output = try? template.render(messages: messages, addGenerationPrompt: true, bosToken: "<s>", eosToken: "</s>",
                                              extra: ["tools": tools])
            if let output { precondition(output.utf8.count <= limits.maxOutputBytes, "render exceeded the output limit") }
        }
    }
}
