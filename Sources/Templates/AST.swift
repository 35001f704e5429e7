/// A literal constant in an expression.
enum Literal: Sendable, Equatable {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case none
}

struct Argument: Sendable {
    var name: String?  // nil for positional
    var value: Expr
}

/// Expressions.
indirect enum Expr: Sendable {
    case literal(Literal)
    case name(String)
    case list([Expr])
    case tuple([Expr])
    case dict([(Expr, Expr)])
    case attr(Expr, String)
    case index(Expr, Expr)
    case slice(Expr, start: Expr?, stop: Expr?, step: Expr?)
    case call(Expr, [Argument])
    case filter(Expr, name: String, [Argument])
    case test(Expr, name: String, [Argument], negated: Bool)
    case unary(String, Expr)  // "not", "-", "+"
    case binary(String, Expr, Expr)  // + - * / // % ** ~
    case and(Expr, Expr)
    case or(Expr, Expr)
    case compare(Expr, [(String, Expr)])  // == != < > <= >= in notin
    case conditional(then: Expr, cond: Expr, otherwise: Expr?)
}

/// Targets of `set` and `for`.
enum Target: Sendable {
    case name(String)
    case attr(String, String)  // ns.attr
    case tuple([String])
}

struct IfBranch: Sendable {
    var cond: Expr
    var body: [Stmt]
}

struct MacroParam: Sendable {
    var name: String
    var defaultValue: Expr?
}

enum StmtKind: Sendable {
    case text(String)
    case output(Expr)
    case ifStmt([IfBranch], otherwise: [Stmt])
    case forStmt(Target, iter: Expr, filter: Expr?, body: [Stmt], otherwise: [Stmt])
    case set(Target, Expr)
    case setBlock(String, filters: [(String, [Argument])], body: [Stmt])
    case macro(String, [MacroParam], body: [Stmt])
    case filterBlock([(String, [Argument])], body: [Stmt])
    case callBlock(Expr, body: [Stmt])
    case block([Stmt])  // generation / plain grouping: renders the body in place
    case breakLoop
    case continueLoop
}

struct Stmt: Sendable {
    var kind: StmtKind
    var loc: SourceLocation
}
