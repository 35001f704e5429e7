import GGUF
import Templates
import Tokenizers

/// Turns a conversation into prompt tokens with the model's own chat
/// template (`tokenizer.chat_template`, Jinja), or a built-in fallback when the
/// file has none.
public struct ChatFormatter: Sendable {
    public enum Source: Sendable { case jinja(ChatTemplate), builtin(BuiltinTemplate) }
    public let source: Source
    let bosText: String
    let eosText: String

    /// - Parameter fallback: used when the file has no template (e.g. a base model).
    public init(file: GGUFFile, tokenizer: any Tokenizer, fallback: BuiltinTemplate? = nil) throws {
        bosText = tokenizer.bosID.flatMap { tokenizer.tokenText($0) } ?? ""
        eosText = tokenizer.eosID.flatMap { tokenizer.tokenText($0) } ?? ""
        if let text = file.metadata["tokenizer.chat_template"]?.string, !text.isEmpty {
            source = .jinja(try ChatTemplate(source: text))
        } else if let fallback {
            source = .builtin(fallback)
        } else {
            source = .builtin(Self.guessFallback(file: file, tokenizer: tokenizer))
        }
    }

    /// Picks the fallback a model's special tokens suggest.
    static func guessFallback(file: GGUFFile, tokenizer: any Tokenizer) -> BuiltinTemplate {
        if tokenizer.tokenID("<start_of_turn>") != nil { return .gemma }
        if tokenizer.tokenID("<|start_header_id|>") != nil { return .llama3 }
        return .chatml
    }

    /// Renders a probe conversation under the template's limits; throws what a request
    /// would meet (a runtime error, a limit), but not the template's own `raise_exception`.
    public func probe() throws {
        if case let .jinja(template) = source { try template.probe() }
    }

    /// The rendered prompt text.
    public func render(_ messages: [ChatMessage], addGenerationPrompt: Bool = true, tools: [TemplateValue] = []) throws -> String {
        switch source {
        case let .jinja(t):
            return try t.render(messages: messages, addGenerationPrompt: addGenerationPrompt, bosToken: bosText, eosToken: eosText,
                                extra: tools.isEmpty ? [:] : ["tools": .array(tools)])
        case let .builtin(b):
            return b.render(messages: messages, addGenerationPrompt: addGenerationPrompt)
        }
    }

    /// Whether the template renders `tools` itself, and the call format its model writes.
    public var toolSupport: (native: Bool, format: ToolCallFormat) {
        switch source {
        case let .jinja(t):
            let native = t.source.contains("tools")
            return (native, native ? ToolCallFormat.detect(templateSource: t.source) : .hermes)
        case .builtin: return (false, .hermes)
        }
    }

    /// Prompt tokens: the template's special-token text is parsed; message contents are
    /// plain text (a role marker typed into a message stays text, as with the hosted APIs)
    /// unless `specialTokensInContent` (an operator's opt-in for trusted clients that send
    /// pre-formatted turns). BOS is added per the vocabulary unless the template already wrote it.
    ///
    /// `tools` (OpenAI's `{"type": "function", "function": {…}}` objects) go to a template that
    /// renders them; for one that does not, they are described in the system turn in the
    /// Hermes format, past calls are written as `<tool_call>` blocks and tool results as
    /// `<tool_response>` user turns. Their strings are escaped like contents.
    public func tokens(_ messages: [ChatMessage], tokenizer: any Tokenizer, tools: [TemplateValue] = [],
                       addGenerationPrompt: Bool = true, specialTokensInContent: Bool = false) throws -> [Int32] {
        let native = toolSupport.native
        guard !specialTokensInContent else {
            let prepared = native ? messages : Self.injectTools(tools, into: messages)
            return tokenizer.encode(try renderedPrompt(prepared, addGenerationPrompt, tokenizer, tools: native ? tools : []),
                                    addSpecial: true, parseSpecial: true)
        }
        var contents = ContentText()
        var escaped: [ChatMessage] = []
        escaped.reserveCapacity(messages.count)
        for m in messages {
            var e = m
            e.content = try contents.escape(m.content, tokenizer: tokenizer)
            e.toolCalls = try m.toolCalls.map {
                ChatMessage.ToolCall(id: try contents.escape($0.id, tokenizer: tokenizer), name: $0.name,
                                     arguments: try contents.escape($0.arguments, tokenizer: tokenizer))
            }
            escaped.append(e)
        }
        let escapedTools = try tools.map { try $0.mapStrings { try contents.escape($0, tokenizer: tokenizer) } }
        let prepared = native ? escaped : Self.injectTools(escapedTools, into: escaped)
        let (text, literal) = contents.restore(try renderedPrompt(prepared, addGenerationPrompt, tokenizer,
                                                                  tools: native ? escapedTools : []))
        return tokenizer.encode(text, addSpecial: true, literal: literal)
    }

    /// Tools for a template that knows none: a system description in the Hermes format
    /// (as Qwen2.5's template writes it), calls as `<tool_call>` text, results as user turns.
    static func injectTools(_ tools: [TemplateValue], into messages: [ChatMessage]) -> [ChatMessage] {
        let hasToolTurns = messages.contains { !$0.toolCalls.isEmpty || $0.role == "tool" }
        guard !tools.isEmpty || hasToolTurns else { return messages }
        var out: [ChatMessage] = []
        if !tools.isEmpty {
            let description = "# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
                + "You are provided with function signatures within <tools></tools> XML tags:\n<tools>"
                + tools.map { "\n" + $0.compactJSON }.joined()
                + "\n</tools>\n\nFor each function call, return a json object with function name and arguments "
                + "within <tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call>"
            if let first = messages.first, first.role == "system" {
                out.append(ChatMessage(role: "system", content: first.content + "\n\n" + description))
            } else {
                out.append(ChatMessage(role: "system", content: description))
            }
        }
        for (i, m) in messages.enumerated() {
            if i == 0, m.role == "system", !tools.isEmpty { continue }
            if !m.toolCalls.isEmpty {
                let calls = m.toolCalls.map {
                    "<tool_call>\n{\"name\": \"\($0.name)\", \"arguments\": \($0.arguments)}\n</tool_call>"
                }.joined(separator: "\n")
                out.append(ChatMessage(role: "assistant", content: m.content.isEmpty ? calls : m.content + "\n" + calls))
            } else if m.role == "tool" {
                let response = "<tool_response>\n" + m.content + "\n</tool_response>"
                if let last = out.last, last.role == "user", last.content.hasPrefix("<tool_response>") {
                    out[out.count - 1].content += "\n" + response
                } else {
                    out.append(ChatMessage(role: "user", content: response))
                }
            } else {
                out.append(m)
            }
        }
        return out
    }

    /// The rendered text without a leading BOS the tokenizer adds itself.
    private func renderedPrompt(_ messages: [ChatMessage], _ addGenerationPrompt: Bool, _ tokenizer: any Tokenizer,
                                tools: [TemplateValue] = []) throws -> String {
        var text = try render(messages, addGenerationPrompt: addGenerationPrompt, tools: tools)
        if tokenizer.addsBOS, !bosText.isEmpty, text.hasPrefix(bosText) {
            text.removeFirst(bosText.count)
        }
        return text
    }
}
