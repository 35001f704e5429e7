import StructuredOutput

/// Constrains an answer with tools, byte by byte:
///
/// - hermes: free text (in `auto` mode) until `<tool_call>` appears; then `\n`, a call
///   object that validates against one of the tools' call schemas, `\n</tool_call>`;
///   then (with parallel calls) `\n` and another `<tool_call>`, or the end. In `required`
///   mode the answer starts with `<tool_call>`.
/// - llama3: in `auto` mode, an answer whose first non-space byte is `{` (or that starts
///   with `<|python_tag|>`) is a call object, constrained to completion; any other first
///   byte makes the answer free text. In `required` mode the answer is the call object.
///
/// End-of-generation is allowed in free text and after a finished call, never inside one.
public struct ToolCallConstraint: Sendable, Hashable {
    enum Phase: Hashable, Sendable {
        /// Free text; `matched` bytes of the trigger seen at the end of what came so far.
        case free(matched: Int)
        /// Writing a fixed text (`literal[at...]`), then `after`.
        case literal([UInt8], at: Int, after: After)
        /// Inside a call object: the matchers of the tools it can still be.
        case call([SchemaMatcher])
        /// A call finished; more may follow (hermes with parallel calls).
        case between(whitespace: Int)
        /// Nothing may follow.
        case done
        /// llama3 auto: nothing decided yet (only whitespace so far).
        case undecided
        /// llama3 auto: the answer is plain text (it did not start with a call).
        case textOnly
    }

    enum After: Hashable, Sendable { case call, between }

    static let open = Array("<tool_call>".utf8)
    static let close = Array("\n</tool_call>".utf8)
    static let pythonTag = Array("<|python_tag|>".utf8)

    let plan: ToolCallPlan
    private(set) var phase: Phase
    /// Calls finished so far.
    public private(set) var calls = 0

    public init(_ plan: ToolCallPlan) {
        self.plan = plan
        switch (plan.format, plan.mode) {
        case (.hermes, .auto): phase = .free(matched: 0)
        case (.hermes, .required): phase = .literal(Self.open + [0x0A], at: 0, after: .call)
        case (.llama3, .auto): phase = .undecided
        case (.llama3, .required): phase = .call(plan.callSchemas.map(SchemaMatcher.init))
        }
    }

    /// A call is being written (its bytes are not content).
    public var insideCall: Bool {
        switch phase {
        case .free, .undecided, .done, .between, .textOnly: return false
        case .literal, .call: return true
        }
    }

    public var isComplete: Bool { phase == .done }

    public var canEnd: Bool {
        switch phase {
        case .free, .undecided, .done, .between, .textOnly: return true
        case .literal, .call: return false
        }
    }

    /// Appends `bytes` if every one is allowed; otherwise leaves self unchanged.
    public mutating func append(_ bytes: [UInt8]) -> Bool {
        var trial = self
        for b in bytes where !trial.feed(b) { return false }
        self = trial
        return true
    }

    private mutating func feed(_ b: UInt8) -> Bool {
        switch phase {
        case let .free(matched):
            // Track the longest suffix that is a prefix of `<tool_call>` (KMP-free: the
            // trigger has no proper border, so a mismatch restarts at 0 or 1).
            if b == Self.open[matched] {
                if matched + 1 == Self.open.count {
                    phase = .literal([0x0A], at: 0, after: .call)
                } else {
                    phase = .free(matched: matched + 1)
                }
            } else {
                phase = .free(matched: b == Self.open[0] ? 1 : 0)
            }
            return true
        case .undecided:
            if b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D { return true }
            if b == UInt8(ascii: "{") {
                phase = .call(plan.callSchemas.map(SchemaMatcher.init))
                return feed(b)
            }
            if b == Self.pythonTag[0] {
                phase = .literal(Self.pythonTag, at: 1, after: .call)
                return true  // `<` may also start plain text; literal decides on the next byte
            }
            phase = .textOnly  // plain text from here: llama3 calls only open an answer
            return true
        case let .literal(text, at, after):
            guard b == text[at] else {
                // `<|python_tag|>` was only a guess after `<`: the answer is plain text.
                if plan.format == .llama3, text == Self.pythonTag, case .call = after, plan.mode == .auto { phase = .textOnly; return true }
                return false
            }
            if at + 1 < text.count { phase = .literal(text, at: at + 1, after: after); return true }
            switch after {
            case .call: phase = .call(plan.callSchemas.map(SchemaMatcher.init))
            case .between:
                calls += 1
                phase = plan.parallel ? .between(whitespace: 0) : .done
            }
            return true
        case let .call(matchers):
            var alive: [SchemaMatcher] = []
            for var m in matchers where m.append([b]) { alive.append(m) }
            guard !alive.isEmpty else { return false }
            if alive.contains(where: \.isComplete) {
                if plan.format == .hermes {
                    phase = .literal(Self.close, at: 0, after: .between)
                } else {
                    calls += 1
                    phase = .done
                }
            } else {
                phase = .call(alive)
            }
            return true
        case let .between(whitespace):
            if b == 0x0A || b == 0x20 {
                guard whitespace < 4 else { return false }
                phase = .between(whitespace: whitespace + 1)
                return true
            }
            guard b == Self.open[0] else { return false }
            phase = .literal(Self.open + [0x0A], at: 1, after: .call)
            return true
        case .done:
            return false
        case .textOnly:
            return true
        }
    }
}
