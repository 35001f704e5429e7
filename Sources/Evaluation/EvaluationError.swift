/// Why an evaluation cannot run. Each case names the file, line, field or
/// endpoint at fault, so the CLI prints one useful line.
public enum EvaluationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A task file line that does not parse or lacks a field.
    case badItem(file: String, line: Int, reason: String)
    case emptyTask(String)
    case unreadable(path: String, reason: String)
    case unknownFormat(path: String, reason: String)
    case textTooShort(tokens: Int, needed: Int)
    case invalidOption(String)
    /// The server answered, but cannot give prompt logprobs (no `echo`).
    case endpointCannotScore(endpoint: String, reason: String)
    case endpointUnreachable(endpoint: String, reason: String)
    case endpointError(endpoint: String, status: Int, body: String)
    /// Two results for one task measured under different protocols.
    case protocolMismatch(task: String, first: String, second: String)

    public var description: String {
        switch self {
        case let .badItem(file, line, reason): return "\(file):\(line): \(reason)"
        case let .emptyTask(path): return "\(path): no items"
        case let .unreadable(path, reason): return "\(path): \(reason)"
        case let .unknownFormat(path, reason): return "\(path): \(reason)"
        case let .textTooShort(tokens, needed):
            return "the text has \(tokens) tokens; this protocol needs at least \(needed) (use a smaller --ctx or a longer file)"
        case let .invalidOption(m): return m
        case let .endpointCannotScore(endpoint, reason):
            return "\(endpoint) is unsuitable for log-likelihood tasks: \(reason). "
                + "Generative tasks still work; log-likelihood needs a server that returns prompt logprobs "
                + "(`echo` with `logprobs` on /v1/completions, as vLLM and aqyl serve do)."
        case let .endpointUnreachable(endpoint, reason): return "cannot reach \(endpoint): \(reason)"
        case let .endpointError(endpoint, status, body): return "\(endpoint) answered HTTP \(status): \(body.prefix(300))"
        case let .protocolMismatch(task, first, second):
            return "refusing to put '\(task)' numbers from different protocols side by side: \(first) vs \(second)"
        }
    }
}
