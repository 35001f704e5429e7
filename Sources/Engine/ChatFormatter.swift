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

    /// The rendered prompt text.
    public func render(_ messages: [ChatMessage], addGenerationPrompt: Bool = true) throws -> String {
        switch source {
        case let .jinja(t):
            return try t.render(messages: messages, addGenerationPrompt: addGenerationPrompt, bosToken: bosText, eosToken: eosText)
        case let .builtin(b):
            return b.render(messages: messages, addGenerationPrompt: addGenerationPrompt)
        }
    }

    /// Prompt tokens: special-token text is parsed; BOS is added per the
    /// vocabulary unless the template already wrote it.
    public func tokens(_ messages: [ChatMessage], tokenizer: any Tokenizer, addGenerationPrompt: Bool = true) throws -> [Int32] {
        var text = try render(messages, addGenerationPrompt: addGenerationPrompt)
        if tokenizer.addsBOS, !bosText.isEmpty, text.hasPrefix(bosText) {
            text.removeFirst(bosText.count)
        }
        return tokenizer.encode(text, addSpecial: true, parseSpecial: true)
    }
}
