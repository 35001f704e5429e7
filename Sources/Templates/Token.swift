/// A position in template source (1-based line and column).
public struct SourceLocation: Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }
    public var description: String { "line \(line), column \(column)" }
}

/// Errors thrown while parsing or rendering a template.
public enum TemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The template source is malformed.
    case syntax(String, SourceLocation)
    /// Evaluation failed (type error, unknown function, bad argument...).
    case runtime(String, SourceLocation?)
    /// The template called `raise_exception(message)`.
    case raised(String)
    /// A safety limit (`TemplateLimits`: steps, time, output/string/allocation size, loop
    /// iterations, recursion depth) was hit, or rendering was cancelled. The message names the limit.
    case limitExceeded(String)

    public var message: String {
        switch self {
        case .syntax(let m, _), .runtime(let m, _), .raised(let m), .limitExceeded(let m): return m
        }
    }

    public var location: SourceLocation? {
        switch self {
        case .syntax(_, let l): return l
        case .runtime(_, let l): return l
        case .raised, .limitExceeded: return nil
        }
    }

    public var description: String {
        switch self {
        case .syntax(let m, let l): return "template syntax error at \(l): \(m)"
        case .runtime(let m, let l): return "template error\(l.map { " at \($0)" } ?? ""): \(m)"
        case .raised(let m): return "template raised: \(m)"
        case .limitExceeded(let m): return m  // already names the chat template and the limit
        }
    }
}

enum TokenKind: Equatable, Sendable {
    case text(String)
    case exprOpen, exprClose, stmtOpen, stmtClose
    case name(String)
    case string(String)
    case int(Int)
    case double(Double)
    case op(String)
    case eof
}

struct Token: Sendable {
    let kind: TokenKind
    let loc: SourceLocation
}
