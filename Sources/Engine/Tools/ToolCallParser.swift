import Foundation
import Templates

/// A call read back from a model's answer.
public struct ParsedToolCall: Sendable, Equatable {
    public var name: String
    /// The arguments object as compact JSON text.
    public var arguments: String

    public init(name: String, arguments: String) {
        self.name = name
        self.arguments = arguments
    }
}

/// Splits a model's answer into content and tool calls as it streams: content is passed
/// on at once (holding back only what may be the start of `<tool_call>`), each call when
/// it is complete.
public struct ToolCallStreamer: Sendable {
    public enum Event: Sendable, Equatable {
        case content(String)
        case call(ParsedToolCall)
    }

    let format: ToolCallFormat
    private var buffer = ""
    private var inCall = false
    /// Just after a call: whitespace before the next call is not content (it may come in later pieces).
    private var afterCall = false
    /// llama3: nil until the first non-space character says call or text.
    private var llamaIsCall: Bool?

    static let open = "<tool_call>", close = "</tool_call>", pythonTag = "<|python_tag|>"

    public init(format: ToolCallFormat) { self.format = format }

    /// Feeds a piece of generated text; returns what can be passed on now.
    public mutating func feed(_ piece: String) -> [Event] {
        buffer += piece
        return format == .hermes ? drainHermes() : drainLlama()
    }

    /// The end of the answer: the rest of the content, and whether a call was left unfinished.
    public mutating func finish() -> (events: [Event], unfinished: Bool) {
        switch format {
        case .hermes:
            if inCall { return ([], true) }
            let rest = buffer
            buffer = ""
            return (rest.isEmpty ? [] : [.content(rest)], false)
        case .llama3:
            if llamaIsCall == true {
                guard let call = Self.parseCall(String(buffer.drop { $0 == " " || $0 == "\n" }).replacingPrefix(Self.pythonTag), argumentsKey: "parameters") else {
                    return ([], true)
                }
                buffer = ""
                return ([.call(call)], false)
            }
            let rest = buffer
            buffer = ""
            return (rest.isEmpty ? [] : [.content(rest)], false)
        }
    }

    private mutating func drainHermes() -> [Event] {
        var events: [Event] = []
        while true {
            if inCall {
                guard let end = buffer.range(of: Self.close) else { return events }
                let body = String(buffer[..<end.lowerBound])
                buffer = String(buffer[end.upperBound...])
                inCall = false
                if let call = Self.parseCall(body, argumentsKey: "arguments") { events.append(.call(call)) }
                afterCall = true
            } else if afterCall {
                // Whitespace between calls is not content.
                buffer = String(buffer.drop { $0 == "\n" || $0 == " " })
                guard !buffer.isEmpty else { return events }
                afterCall = false
            } else if let start = buffer.range(of: Self.open) {
                let before = String(buffer[..<start.lowerBound])
                if !before.isEmpty { events.append(.content(before)) }
                buffer = String(buffer[start.upperBound...])
                inCall = true
            } else {
                // Hold back a tail that may be the start of `<tool_call>`.
                var keep = 0
                for n in stride(from: min(Self.open.count - 1, buffer.count), to: 0, by: -1) where buffer.hasSuffix(String(Self.open.prefix(n))) {
                    keep = n
                    break
                }
                let emit = String(buffer.dropLast(keep))
                buffer = String(buffer.suffix(keep))
                if !emit.isEmpty { events.append(.content(emit)) }
                return events
            }
        }
    }

    private mutating func drainLlama() -> [Event] {
        if llamaIsCall == nil {
            let trimmed = buffer.drop { $0 == " " || $0 == "\n" || $0 == "\t" }
            guard let first = trimmed.first else { return [] }
            if first == "{" {
                llamaIsCall = true
            } else if first == "<" {
                if trimmed.count < Self.pythonTag.count, Self.pythonTag.hasPrefix(trimmed) { return [] }
                llamaIsCall = trimmed.hasPrefix(Self.pythonTag)
            } else {
                llamaIsCall = false
            }
        }
        if llamaIsCall == true { return [] }
        let out = buffer
        buffer = ""
        return out.isEmpty ? [] : [.content(out)]
    }

    /// `{"name": …, KEY: {…}}` → a call; nil when the text is not such an object.
    static func parseCall(_ text: String, argumentsKey: String) -> ParsedToolCall? {
        guard case let .object(o)? = try? TemplateValue.parseJSON(text.trimmingWhitespace()),
              case let .string(name)? = o["name"] else { return nil }
        let arguments = o[argumentsKey] ?? .object(TemplateObject())
        return ParsedToolCall(name: name, arguments: arguments.compactJSON)
    }

    /// The part of an answer a streamer held back when a call was cut off: from the last
    /// unfinished call's opening on (the whole answer for llama3).
    public static func heldBack(_ text: String, format: ToolCallFormat) -> String {
        guard format == .hermes, let start = text.range(of: open, options: .backwards) else { return text.trimmingWhitespace() }
        return String(text[start.lowerBound...])
    }

    /// A whole answer at once.
    public static func parse(_ text: String, format: ToolCallFormat) -> (content: String?, calls: [ParsedToolCall], unfinished: Bool) {
        var streamer = ToolCallStreamer(format: format)
        var events = streamer.feed(text)
        let (rest, unfinished) = streamer.finish()
        events += rest
        var content = ""
        var calls: [ParsedToolCall] = []
        for e in events {
            switch e {
            case let .content(c): content += c
            case let .call(call): calls.append(call)
            }
        }
        let trimmed = content.trimmingWhitespace()
        return (trimmed.isEmpty ? nil : (calls.isEmpty ? content : trimmed), calls, unfinished)
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }

    func replacingPrefix(_ prefix: String) -> String { hasPrefix(prefix) ? String(dropFirst(prefix.count)) : self }
}
