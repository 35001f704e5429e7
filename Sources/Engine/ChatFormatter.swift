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
    public func render(_ messages: [ChatMessage], addGenerationPrompt: Bool = true) throws -> String {
        switch source {
        case let .jinja(t):
            return try t.render(messages: messages, addGenerationPrompt: addGenerationPrompt, bosToken: bosText, eosToken: eosText)
        case let .builtin(b):
            return b.render(messages: messages, addGenerationPrompt: addGenerationPrompt)
        }
    }

    /// Prompt tokens: the template's special-token text is parsed; message contents are
    /// plain text (a role marker typed into a message stays text, as with the hosted APIs)
    /// unless `specialTokensInContent` (an operator's opt-in for trusted clients that send
    /// pre-formatted turns). BOS is added per the vocabulary unless the template already wrote it.
    public func tokens(_ messages: [ChatMessage], tokenizer: any Tokenizer, addGenerationPrompt: Bool = true,
                       specialTokensInContent: Bool = false) throws -> [Int32] {
        guard !specialTokensInContent else {
            return tokenizer.encode(try renderedPrompt(messages, addGenerationPrompt, tokenizer), addSpecial: true, parseSpecial: true)
        }
        var contents = ContentText()
        var escaped: [ChatMessage] = []
        escaped.reserveCapacity(messages.count)
        for m in messages { escaped.append(ChatMessage(role: m.role, content: try contents.escape(m.content, tokenizer: tokenizer))) }
        let (text, literal) = contents.restore(try renderedPrompt(escaped, addGenerationPrompt, tokenizer))
        return tokenizer.encode(text, addSpecial: true, literal: literal)
    }

    /// The rendered text without a leading BOS the tokenizer adds itself.
    private func renderedPrompt(_ messages: [ChatMessage], _ addGenerationPrompt: Bool, _ tokenizer: any Tokenizer) throws -> String {
        var text = try render(messages, addGenerationPrompt: addGenerationPrompt)
        if tokenizer.addsBOS, !bosText.isEmpty, text.hasPrefix(bosText) {
            text.removeFirst(bosText.count)
        }
        return text
    }
}
