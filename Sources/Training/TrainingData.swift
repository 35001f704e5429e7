import FileContents
import Engine
import Foundation
import Templates
import Tokenizers

/// One training sequence: `targets[t]` is the token expected after `tokens[t]`,
/// or −1 where no loss is taken (prompt and template tokens).
public struct TrainingExample: Sendable, Equatable, Codable {
    public var tokens: [Int32]
    public var targets: [Int32]

    public var scoredTokens: Int { targets.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) } }
}

/// How a data file is laid out.
public enum TrainingDataFormat: String, Sendable, Codable, CaseIterable {
    /// Plain text, language modelling over packed windows.
    case text
    /// JSONL `{"text": ...}` records, packed like plain text.
    case textJSONL = "text-jsonl"
    /// JSONL `{"messages":[{"role","content"}...]}`; loss on assistant tokens only.
    case chat
    /// JSONL `{"instruction","input","output"}` (the Alpaca layout); loss on the output.
    case instruction
}

/// A problem with one line of a data file.
public struct DataIssue: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var line: Int
    public var message: String
    public var description: String { "\(path):\(line): \(message)" }
}

public enum TrainingDataError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case empty(path: String, reason: String)
    case malformed(DataIssue)
    case noChatTemplate(format: TrainingDataFormat)

    public var description: String {
        switch self {
        case let .unreadable(p, r): return "cannot read \(p): \(r)"
        case let .empty(p, r): return "no training data in \(p): \(r)"
        case let .malformed(issue): return "\(issue) (stopping because of --strict)"
        case let .noChatTemplate(f): return "\(f.rawValue) data needs a chat format, and this model has none"
        }
    }
}

/// A tokenized data file.
public struct TrainingDataset: Sendable {
    public var path: String
    public var format: TrainingDataFormat
    public var examples: [TrainingExample]
    /// Lines skipped (without --strict) and why.
    public var issues: [DataIssue]
    /// Examples cut to the context length.
    public var truncated: Int

    public var tokenCount: Int { examples.reduce(0) { $0 + $1.tokens.count } }
    public var scoredTokens: Int { examples.reduce(0) { $0 + $1.scoredTokens } }
}

/// Reads text, chat and instruction data into training sequences of at most
/// `context` tokens.
public struct TrainingDataLoader: Sendable {
    public let tokenizer: any Tokenizer
    public let formatter: ChatFormatter?
    public let context: Int
    /// Stop at the first bad line instead of skipping it.
    public var strict = false

    public init(tokenizer: any Tokenizer, formatter: ChatFormatter?, context: Int, strict: Bool = false) {
        self.tokenizer = tokenizer
        self.formatter = formatter
        self.context = context
        self.strict = strict
    }

    public func load(path: String, format: TrainingDataFormat? = nil) throws -> TrainingDataset {
        guard let data = FileContents.readIfPresent(path) else {
            throw TrainingDataError.unreadable(path: path, reason: "no such file or not readable")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw TrainingDataError.unreadable(path: path, reason: "not UTF-8 text")
        }
        return try load(text: text, path: path, format: format)
    }

    /// Reads `text` as the contents of the file at `path` (the path names it in messages
    /// and picks the format by its extension when `format` is nil).
    public func load(text: String, path: String, format: TrainingDataFormat? = nil) throws -> TrainingDataset {
        let fmt = format ?? Self.detect(path: path, text: text)
        var set = TrainingDataset(path: path, format: fmt, examples: [], issues: [], truncated: 0)
        switch fmt {
        case .text:
            set.examples = pack(tokenizer.encode(text, addSpecial: true, parseSpecial: false))
        case .textJSONL, .chat, .instruction:
            if fmt != .textJSONL && formatter == nil { throw TrainingDataError.noChatTemplate(format: fmt) }
            var stream: [Int32] = []
            for (number, line) in Self.lines(text) {
                do {
                    let object = try Self.object(line)
                    switch fmt {
                    case .textJSONL:
                        guard let t = object["text"] as? String else { throw LineError("missing string field \"text\"") }
                        stream += tokenizer.encode(t, addSpecial: true, parseSpecial: false)
                        if let eos = tokenizer.eosID { stream.append(eos) }
                    case .chat:
                        guard let raw = object["messages"] as? [Any], !raw.isEmpty else {
                            throw LineError("missing non-empty array \"messages\"")
                        }
                        let messages = try raw.enumerated().map { i, m -> ChatMessage in
                            guard let m = m as? [String: Any], let role = m["role"] as? String, let content = m["content"] as? String else {
                                throw LineError("messages[\(i)] needs string \"role\" and \"content\"")
                            }
                            return ChatMessage(role: role, content: content)
                        }
                        try append(conversation: messages, to: &set)
                    case .instruction:
                        guard let instruction = object["instruction"] as? String, let output = object["output"] as? String else {
                            throw LineError("needs string fields \"instruction\" and \"output\"")
                        }
                        let input = object["input"] as? String ?? ""
                        let prompt = input.isEmpty ? instruction : instruction + "\n\n" + input
                        try append(conversation: [ChatMessage(role: "user", content: prompt),
                                                  ChatMessage(role: "assistant", content: output)], to: &set)
                    case .text: break
                    }
                } catch let e as LineError {
                    let issue = DataIssue(path: path, line: number, message: e.message)
                    if strict { throw TrainingDataError.malformed(issue) }
                    set.issues.append(issue)
                }
            }
            if fmt == .textJSONL { set.examples = pack(stream) }
        }
        guard !set.examples.isEmpty else {
            let why = set.issues.isEmpty ? "the file has no usable text" : "every line was skipped (first: \(set.issues[0]))"
            throw TrainingDataError.empty(path: path, reason: why)
        }
        return set
    }

    /// `.jsonl` files by their first record's fields; anything else is plain text.
    static func detect(path: String, text: String) -> TrainingDataFormat {
        guard path.hasSuffix(".jsonl") || path.hasSuffix(".json") || text.hasPrefix("{") else { return .text }
        guard let first = lines(text).first, let object = try? Self.object(first.1) else { return .text }
        if object["messages"] != nil { return .chat }
        if object["instruction"] != nil { return .instruction }
        if object["text"] != nil { return .textJSONL }
        return .text
    }

    /// Non-empty lines with 1-based numbers.
    static func lines(_ text: String) -> [(Int, Substring)] {
        text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { i, l in
            l.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : (i + 1, l)
        }
    }

    struct LineError: Error {
        let message: String
        init(_ m: String) { message = m }
    }

    static func object(_ line: Substring) throws -> [String: Any] {
        guard let value = try? JSONSerialization.jsonObject(with: Data(line.utf8)) else {
            throw LineError("not valid JSON")
        }
        guard let object = value as? [String: Any] else { throw LineError("expected a JSON object") }
        return object
    }

    /// Windows of context+1 tokens (inputs and shifted targets), no overlap.
    func pack(_ ids: [Int32]) -> [TrainingExample] {
        var out: [TrainingExample] = []
        var start = 0
        while start + 1 < ids.count {
            let end = min(ids.count, start + context + 1)
            out.append(TrainingExample(tokens: Array(ids[start..<(end - 1)]), targets: Array(ids[(start + 1)..<end])))
            start = end - 1
        }
        return out
    }

    /// Renders a conversation with the chat template piece by piece so the
    /// assistant replies (and their end-of-turn tokens) are the only scored tokens.
    func append(conversation messages: [ChatMessage], to set: inout TrainingDataset) throws {
        guard let formatter else { throw TrainingDataError.noChatTemplate(format: set.format) }
        guard messages.contains(where: { $0.role == "assistant" }) else { throw LineError("no assistant message to learn from") }
        let bosText = tokenizer.bosID.flatMap { tokenizer.tokenText($0) } ?? ""
        var ids: [Int32] = []
        var scored: [Bool] = []
        if tokenizer.addsBOS, let bos = tokenizer.bosID {
            ids.append(bos)
            scored.append(false)
        }
        var rendered = ""
        func add(upTo text: String, score: Bool) throws {
            guard text.hasPrefix(rendered) else {
                throw LineError("the chat template does not render this conversation as a growing prefix; cannot mask it")
            }
            var piece = String(text.dropFirst(rendered.count))
            if rendered.isEmpty, tokenizer.addsBOS, !bosText.isEmpty, piece.hasPrefix(bosText) { piece.removeFirst(bosText.count) }
            let t = tokenizer.encode(piece, addSpecial: false, parseSpecial: true)
            ids += t
            scored += [Bool](repeating: score, count: t.count)
            rendered = text
        }
        do {
            for i in messages.indices {
                if messages[i].role == "assistant" {
                    try add(upTo: try formatter.render(Array(messages[..<i]), addGenerationPrompt: true), score: false)
                    try add(upTo: try formatter.render(Array(messages[...i]), addGenerationPrompt: false), score: true)
                } else {
                    try add(upTo: try formatter.render(Array(messages[...i]), addGenerationPrompt: false), score: false)
                }
            }
        } catch let e as LineError {
            throw e
        } catch {
            throw LineError("chat template failed: \(error)")
        }
        guard ids.count >= 2 else { throw LineError("too short") }
        var tokens = Array(ids.dropLast())
        var targets = (1..<ids.count).map { scored[$0] ? ids[$0] : -1 }
        if tokens.count > context {
            tokens = Array(tokens.prefix(context))
            targets = Array(targets.prefix(context))
            set.truncated += 1
        }
        guard targets.contains(where: { $0 >= 0 }) else { throw LineError("no assistant tokens left within --ctx \(context)") }
        set.examples.append(TrainingExample(tokens: tokens, targets: targets))
    }
}
