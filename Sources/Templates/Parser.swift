/// Recursive-descent parser producing statements from tokens, following Jinja2's grammar and
/// operator precedence (filters bind tighter than arithmetic; `~` tighter than `+`).
struct Parser {
    let tokens: [Token]
    var p = 0
    var depth = 0
    /// Inside an `if` body, unknown filters/tests are runtime errors (only if reached), as in Jinja 3.
    var conditionalDepth = 0
    static let maxDepth = 200

    init(tokens: [Token]) { self.tokens = tokens }

    static func parse(_ source: String) throws -> [Stmt] {
        var parser = Parser(tokens: try Lexer.tokenize(source))
        let (body, end) = try parser.parseBody(until: [])
        if let end { throw TemplateError.syntax("unexpected '\(end)'", parser.cur.loc) }
        return body
    }

    var cur: Token { tokens[min(p, tokens.count - 1)] }
    func peek(_ k: Int = 1) -> Token { tokens[min(p + k, tokens.count - 1)] }
    mutating func next() -> Token { let t = cur; p = min(p + 1, tokens.count - 1); return t }

    func isOp(_ op: String) -> Bool { if case .op(op) = cur.kind { return true }; return false }
    func isName(_ n: String) -> Bool { if case .name(n) = cur.kind { return true }; return false }

    mutating func expectOp(_ op: String) throws {
        guard isOp(op) else { throw TemplateError.syntax("expected '\(op)', found \(describe(cur))", cur.loc) }
        p += 1
    }
    mutating func expectName(_ n: String) throws {
        guard isName(n) else { throw TemplateError.syntax("expected '\(n)', found \(describe(cur))", cur.loc) }
        p += 1
    }
    mutating func identifier() throws -> String {
        guard case .name(let n) = cur.kind else {
            throw TemplateError.syntax("expected a name, found \(describe(cur))", cur.loc)
        }
        p += 1
        return n
    }
    mutating func expectStmtClose() throws {
        guard case .stmtClose = cur.kind else {
            throw TemplateError.syntax("expected end of statement '%}', found \(describe(cur))", cur.loc)
        }
        p += 1
    }

    func describe(_ t: Token) -> String {
        switch t.kind {
        case .text: return "text"
        case .exprOpen: return "'{{'"
        case .exprClose: return "'}}'"
        case .stmtOpen: return "'{%'"
        case .stmtClose: return "'%}'"
        case .name(let n): return "'\(n)'"
        case .string(let s): return "string '\(s)'"
        case .int(let v): return "\(v)"
        case .double(let v): return "\(v)"
        case .op(let o): return "'\(o)'"
        case .eof: return "end of template"
        }
    }

    // MARK: Expressions

    /// Every link of an operator, attribute or filter chain nests the tree one level deeper, and so
    /// counts against `maxDepth` like a parenthesis does (a deep tree would overflow the stack when
    /// evaluated or freed). Callers restore `depth` when the chain ends.
    mutating func deeper() throws {
        depth += 1
        guard depth < Parser.maxDepth else { throw TemplateError.syntax("expression nested too deeply", cur.loc) }
    }

    /// A bare comma list (`a, b`) becomes a tuple; used by `for ... in` and `set`.
    mutating func tupleOrExpr(withCondition: Bool) throws -> Expr {
        let first = withCondition ? try expression() : try orExpr()
        guard isOp(",") else { return first }
        var items = [first]
        while isOp(",") {
            p += 1
            if case .stmtClose = cur.kind { break }
            items.append(withCondition ? try expression() : try orExpr())
        }
        return .tuple(items)
    }

    mutating func expression() throws -> Expr {
        depth += 1
        defer { depth -= 1 }
        guard depth < Parser.maxDepth else { throw TemplateError.syntax("expression nested too deeply", cur.loc) }
        let value = try orExpr()
        if isName("if") {
            p += 1
            let cond = try orExpr()
            var otherwise: Expr?
            if isName("else") {
                p += 1
                otherwise = try expression()
            }
            return .conditional(then: value, cond: cond, otherwise: otherwise)
        }
        return value
    }

    mutating func orExpr() throws -> Expr {
        let savedDepth = depth
        defer { depth = savedDepth }
        var left = try andExpr()
        while isName("or") {
            p += 1
            try deeper()
            left = .or(left, try andExpr())
        }
        return left
    }

    mutating func andExpr() throws -> Expr {
        let savedDepth = depth
        defer { depth = savedDepth }
        var left = try notExpr()
        while isName("and") {
            p += 1
            try deeper()
            left = .and(left, try notExpr())
        }
        return left
    }

    mutating func notExpr() throws -> Expr {
        if isName("not") {
            p += 1
            try deeper()
            defer { depth -= 1 }
            return .unary("not", try notExpr())
        }
        return try compareExpr()
    }

    mutating func compareExpr() throws -> Expr {
        let left = try math1()
        var ops: [(String, Expr)] = []
        while true {
            if case .op(let o) = cur.kind, ["==", "!=", "<", ">", "<=", ">="].contains(o) {
                p += 1
                ops.append((o, try math1()))
            } else if isName("in") {
                p += 1
                ops.append(("in", try math1()))
            } else if isName("not"), case .name("in") = peek().kind {
                p += 2
                ops.append(("notin", try math1()))
            } else {
                break
            }
        }
        return ops.isEmpty ? left : .compare(left, ops)
    }

    mutating func math1() throws -> Expr {
        let savedDepth = depth
        defer { depth = savedDepth }
        var left = try concat()
        while case .op(let o) = cur.kind, o == "+" || o == "-" {
            p += 1
            try deeper()
            left = .binary(o, left, try concat())
        }
        return left
    }

    mutating func concat() throws -> Expr {
        let savedDepth = depth
        defer { depth = savedDepth }
        var left = try math2()
        while isOp("~") {
            p += 1
            try deeper()
            left = .binary("~", left, try math2())
        }
        return left
    }

    mutating func math2() throws -> Expr {
        let savedDepth = depth
        defer { depth = savedDepth }
        var left = try power()
        while case .op(let o) = cur.kind, o == "*" || o == "/" || o == "//" || o == "%" {
            p += 1
            try deeper()
            left = .binary(o, left, try power())
        }
        return left
    }

    mutating func power() throws -> Expr {
        let savedDepth = depth
        defer { depth = savedDepth }
        var left = try unary(withFilter: true)
        while isOp("**") {
            p += 1
            try deeper()
            left = .binary("**", left, try unary(withFilter: true))
        }
        return left
    }

    mutating func unary(withFilter: Bool) throws -> Expr {
        depth += 1
        defer { depth -= 1 }
        guard depth < Parser.maxDepth else { throw TemplateError.syntax("expression nested too deeply", cur.loc) }
        var node: Expr
        if case .op(let o) = cur.kind, o == "-" || o == "+" {
            p += 1
            node = .unary(o, try unary(withFilter: false))
        } else {
            node = try postfix(try primary())
        }
        if withFilter { node = try filtersAndTests(node) }
        return node
    }

    mutating func primary() throws -> Expr {
        let t = next()
        switch t.kind {
        case .name(let n):
            switch n {
            case "true", "True": return .literal(.bool(true))
            case "false", "False": return .literal(.bool(false))
            case "none", "None": return .literal(.none)
            default: return .name(n)
            }
        case .string(var s):
            while case .string(let more) = cur.kind {
                s += more
                p += 1
            }
            return .literal(.string(s))
        case .int(let v): return .literal(.int(v))
        case .double(let v): return .literal(.double(v))
        case .op("("):
            if isOp(")") {
                p += 1
                return .tuple([])
            }
            let first = try expression()
            if isOp(")") {
                p += 1
                return first
            }
            var items = [first]
            while isOp(",") {
                p += 1
                if isOp(")") { break }
                items.append(try expression())
            }
            try expectOp(")")
            return .tuple(items)
        case .op("["):
            var items: [Expr] = []
            while !isOp("]") {
                items.append(try expression())
                if !isOp("]") { try expectOp(",") }
            }
            p += 1
            return .list(items)
        case .op("{"):
            var pairs: [(Expr, Expr)] = []
            while !isOp("}") {
                let k = try expression()
                try expectOp(":")
                pairs.append((k, try expression()))
                if !isOp("}") { try expectOp(",") }
            }
            p += 1
            return .dict(pairs)
        default:
            throw TemplateError.syntax("unexpected \(describe(t))", t.loc)
        }
    }

    mutating func postfix(_ base: Expr) throws -> Expr {
        let savedDepth = depth
        defer { depth = savedDepth }
        var node = base
        while true {
            if isOp(".") || isOp("[") || isOp("(") { try deeper() }
            if isOp(".") {
                p += 1
                let t = next()
                switch t.kind {
                case .name(let n): node = .attr(node, n)
                case .int(let v): node = .index(node, .literal(.int(v)))
                default: throw TemplateError.syntax("expected attribute name after '.'", t.loc)
                }
            } else if isOp("[") {
                p += 1
                node = try subscriptExpr(node)
            } else if isOp("(") {
                node = .call(node, try callArguments())
            } else {
                return node
            }
        }
    }

    mutating func subscriptExpr(_ base: Expr) throws -> Expr {
        var parts: [Expr?] = [nil]
        var sawColon = false
        while !isOp("]") {
            if isOp(":") {
                p += 1
                sawColon = true
                parts.append(nil)
                continue
            }
            guard parts[parts.count - 1] == nil else { throw TemplateError.syntax("expected ']'", cur.loc) }
            parts[parts.count - 1] = try expression()
        }
        p += 1
        if !sawColon {
            guard let e = parts[0] else { throw TemplateError.syntax("empty subscript", cur.loc) }
            return .index(base, e)
        }
        guard parts.count <= 3 else { throw TemplateError.syntax("too many ':' in slice", cur.loc) }
        return .slice(base, start: parts[0], stop: parts.count > 1 ? parts[1] : nil, step: parts.count > 2 ? parts[2] : nil)
    }

    mutating func callArguments() throws -> [Argument] {
        try expectOp("(")
        var args: [Argument] = []
        while !isOp(")") {
            if case .name(let n) = cur.kind, case .op("=") = peek().kind {
                p += 2
                args.append(Argument(name: n, value: try expression()))
            } else {
                args.append(Argument(name: nil, value: try expression()))
            }
            if !isOp(")") { try expectOp(",") }
        }
        p += 1
        return args
    }

    mutating func filtersAndTests(_ base: Expr) throws -> Expr {
        let savedDepth = depth
        defer { depth = savedDepth }
        var node = base
        while true {
            if isOp("|") || isName("is") { try deeper() }
            if isOp("|") {
                p += 1
                let nameLoc = cur.loc
                let name = try identifier()
                guard Filters.known.contains(name) || conditionalDepth > 0 else {
                    throw TemplateError.syntax("unknown filter '\(name)'", nameLoc)
                }
                node = .filter(node, name: name, isOp("(") ? try callArguments() : [])
            } else if isName("is") {
                p += 1
                var negated = false
                if isName("not") {
                    p += 1
                    negated = true
                }
                let nameLoc = cur.loc
                var name: String
                switch cur.kind {
                case .name(let n): name = n
                case .op(let o) where ["==", "!=", "<", ">", "<=", ">="].contains(o): name = o
                default: throw TemplateError.syntax("expected a test name after 'is'", nameLoc)
                }
                p += 1
                if name == "none" || name == "None" { name = "none" }
                if name == "true" || name == "True" { name = "true" }
                if name == "false" || name == "False" { name = "false" }
                guard Tests.known.contains(name) || conditionalDepth > 0 else { throw TemplateError.syntax("unknown test '\(name)'", nameLoc) }
                var args: [Argument] = []
                if isOp("(") {
                    args = try callArguments()
                } else if startsBareTestArgument() {
                    args = [Argument(name: nil, value: try postfix(try primary()))]
                }
                node = .test(node, name: name, args, negated: negated)
            } else {
                return node
            }
        }
    }

    func startsBareTestArgument() -> Bool {
        switch cur.kind {
        case .name(let n): return !["else", "or", "and", "if", "in", "not", "is"].contains(n)
        case .string, .int, .double: return true
        case .op(let o): return o == "[" || o == "{"
        default: return false
        }
    }
}
