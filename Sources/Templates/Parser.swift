/// Recursive-descent parser producing statements from tokens, following Jinja2's grammar and
/// operator precedence (filters bind tighter than arithmetic; `~` tighter than `+`).
struct Parser {
    private let tokens: [Token]
    private var p = 0
    private var depth = 0
    private static let maxDepth = 200

    init(tokens: [Token]) { self.tokens = tokens }

    static func parse(_ source: String) throws -> [Stmt] {
        var parser = Parser(tokens: try Lexer.tokenize(source))
        let (body, end) = try parser.parseBody(until: [])
        if let end { throw TemplateError.syntax("unexpected '\(end)'", parser.cur.loc) }
        return body
    }

    private var cur: Token { tokens[min(p, tokens.count - 1)] }
    private func peek(_ k: Int = 1) -> Token { tokens[min(p + k, tokens.count - 1)] }
    private mutating func next() -> Token { let t = cur; p = min(p + 1, tokens.count - 1); return t }

    private func isOp(_ op: String) -> Bool { if case .op(op) = cur.kind { return true }; return false }
    private func isName(_ n: String) -> Bool { if case .name(n) = cur.kind { return true }; return false }

    private mutating func expectOp(_ op: String) throws {
        guard isOp(op) else { throw TemplateError.syntax("expected '\(op)', found \(describe(cur))", cur.loc) }
        p += 1
    }
    private mutating func expectName(_ n: String) throws {
        guard isName(n) else { throw TemplateError.syntax("expected '\(n)', found \(describe(cur))", cur.loc) }
        p += 1
    }
    private mutating func identifier() throws -> String {
        guard case .name(let n) = cur.kind else {
            throw TemplateError.syntax("expected a name, found \(describe(cur))", cur.loc)
        }
        p += 1
        return n
    }
    private mutating func expectStmtClose() throws {
        guard case .stmtClose = cur.kind else {
            throw TemplateError.syntax("expected end of statement '%}', found \(describe(cur))", cur.loc)
        }
        p += 1
    }

    private func describe(_ t: Token) -> String {
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

    // MARK: Statements

    /// Parses statements until a `{% name %}` with name in `until`; returns that name (already consumed
    /// up to the name, the rest of the tag is left to the caller) or nil at end of input.
    private mutating func parseBody(until: Set<String>) throws -> ([Stmt], String?) {
        var body: [Stmt] = []
        while true {
            let t = cur
            switch t.kind {
            case .eof:
                if !until.isEmpty {
                    let names = until.sorted().joined(separator: "' or '")
                    throw TemplateError.syntax("unexpected end of template, expected '\(names)'", t.loc)
                }
                return (body, nil)
            case .text(let s):
                p += 1
                body.append(Stmt(kind: .text(s), loc: t.loc))
            case .exprOpen:
                p += 1
                let e = try expression()
                guard case .exprClose = cur.kind else {
                    throw TemplateError.syntax("expected '}}', found \(describe(cur))", cur.loc)
                }
                p += 1
                body.append(Stmt(kind: .output(e), loc: t.loc))
            case .stmtOpen:
                guard case .name(let kw) = peek().kind else {
                    throw TemplateError.syntax("expected a statement name after '{%'", peek().loc)
                }
                if until.contains(kw) {
                    p += 2
                    return (body, kw)
                }
                p += 2
                body.append(try statement(kw, loc: t.loc))
            default:
                throw TemplateError.syntax("unexpected \(describe(t))", t.loc)
            }
        }
    }

    private mutating func statement(_ kw: String, loc: SourceLocation) throws -> Stmt {
        depth += 1
        defer { depth -= 1 }
        guard depth < Parser.maxDepth else { throw TemplateError.syntax("statements nested too deeply", loc) }
        switch kw {
        case "if":
            var branches: [IfBranch] = []
            var cond = try expression()
            try expectStmtClose()
            while true {
                let (body, end) = try parseBody(until: ["elif", "else", "endif"])
                branches.append(IfBranch(cond: cond, body: body))
                if end == "elif" {
                    cond = try expression()
                    try expectStmtClose()
                    continue
                }
                var otherwise: [Stmt] = []
                if end == "else" {
                    try expectStmtClose()
                    (otherwise, _) = try parseBody(until: ["endif"])
                }
                try expectStmtClose()
                return Stmt(kind: .ifStmt(branches, otherwise: otherwise), loc: loc)
            }
        case "for":
            var names = [try identifier()]
            while isOp(",") {
                p += 1
                names.append(try identifier())
            }
            let target: Target = names.count == 1 ? .name(names[0]) : .tuple(names)
            try expectName("in")
            let iter = try tupleOrExpr(withCondition: false)
            var filter: Expr?
            if isName("if") {
                p += 1
                filter = try expression()
            }
            if isName("recursive") { throw TemplateError.syntax("recursive loops are not supported", cur.loc) }
            try expectStmtClose()
            let (body, end) = try parseBody(until: ["else", "endfor"])
            var otherwise: [Stmt] = []
            if end == "else" {
                try expectStmtClose()
                (otherwise, _) = try parseBody(until: ["endfor"])
            }
            try expectStmtClose()
            return Stmt(kind: .forStmt(target, iter: iter, filter: filter, body: body, otherwise: otherwise), loc: loc)
        case "set":
            let first = try identifier()
            var target: Target = .name(first)
            if isOp(".") {
                p += 1
                target = .attr(first, try identifier())
            } else if isOp(",") {
                var names = [first]
                while isOp(",") {
                    p += 1
                    names.append(try identifier())
                }
                target = .tuple(names)
            }
            if isOp("=") {
                p += 1
                let value = try tupleOrExpr(withCondition: true)
                try expectStmtClose()
                return Stmt(kind: .set(target, value), loc: loc)
            }
            guard case .name(let name) = target else {
                throw TemplateError.syntax("block set needs a plain name", loc)
            }
            let filters = try filterChain()
            try expectStmtClose()
            let (body, _) = try parseBody(until: ["endset"])
            try expectStmtClose()
            return Stmt(kind: .setBlock(name, filters: filters, body: body), loc: loc)
        case "macro":
            let name = try identifier()
            try expectOp("(")
            var params: [MacroParam] = []
            while !isOp(")") {
                let pname = try identifier()
                var def: Expr?
                if isOp("=") {
                    p += 1
                    def = try expression()
                }
                params.append(MacroParam(name: pname, defaultValue: def))
                if !isOp(")") { try expectOp(",") }
            }
            p += 1
            try expectStmtClose()
            let (body, _) = try parseBody(until: ["endmacro"])
            if case .name = cur.kind { p += 1 }
            try expectStmtClose()
            return Stmt(kind: .macro(name, params, body: body), loc: loc)
        case "call":
            let callee = try expression()
            try expectStmtClose()
            let (body, _) = try parseBody(until: ["endcall"])
            try expectStmtClose()
            return Stmt(kind: .callBlock(callee, body: body), loc: loc)
        case "filter":
            let filters = try filterChain(leadingNameAt: true)
            try expectStmtClose()
            let (body, _) = try parseBody(until: ["endfilter"])
            try expectStmtClose()
            return Stmt(kind: .filterBlock(filters, body: body), loc: loc)
        case "generation":
            try expectStmtClose()
            let (body, _) = try parseBody(until: ["endgeneration"])
            try expectStmtClose()
            return Stmt(kind: .block(body), loc: loc)
        case "break", "continue":
            try expectStmtClose()
            return Stmt(kind: kw == "break" ? .breakLoop : .continueLoop, loc: loc)
        default:
            throw TemplateError.syntax("unknown or unsupported statement '\(kw)'", loc)
        }
    }

    /// `| name(args) | name ...` after a block `set` or `filter` tag.
    private mutating func filterChain(leadingNameAt: Bool = false) throws -> [(String, [Argument])] {
        var out: [(String, [Argument])] = []
        var first = leadingNameAt
        while first || isOp("|") {
            if first { first = false } else { p += 1 }
            let nameLoc = cur.loc
            let name = try identifier()
            guard Filters.known.contains(name) else { throw TemplateError.syntax("unknown filter '\(name)'", nameLoc) }
            out.append((name, isOp("(") ? try callArguments() : []))
        }
        return out
    }

    // MARK: Expressions

    /// A bare comma list (`a, b`) becomes a tuple; used by `for ... in` and `set`.
    private mutating func tupleOrExpr(withCondition: Bool) throws -> Expr {
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

    private mutating func orExpr() throws -> Expr {
        var left = try andExpr()
        while isName("or") {
            p += 1
            left = .or(left, try andExpr())
        }
        return left
    }

    private mutating func andExpr() throws -> Expr {
        var left = try notExpr()
        while isName("and") {
            p += 1
            left = .and(left, try notExpr())
        }
        return left
    }

    private mutating func notExpr() throws -> Expr {
        if isName("not") {
            p += 1
            return .unary("not", try notExpr())
        }
        return try compareExpr()
    }

    private mutating func compareExpr() throws -> Expr {
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

    private mutating func math1() throws -> Expr {
        var left = try concat()
        while case .op(let o) = cur.kind, o == "+" || o == "-" {
            p += 1
            left = .binary(o, left, try concat())
        }
        return left
    }

    private mutating func concat() throws -> Expr {
        var left = try math2()
        while isOp("~") {
            p += 1
            left = .binary("~", left, try math2())
        }
        return left
    }

    private mutating func math2() throws -> Expr {
        var left = try power()
        while case .op(let o) = cur.kind, o == "*" || o == "/" || o == "//" || o == "%" {
            p += 1
            left = .binary(o, left, try power())
        }
        return left
    }

    private mutating func power() throws -> Expr {
        var left = try unary(withFilter: true)
        while isOp("**") {
            p += 1
            left = .binary("**", left, try unary(withFilter: true))
        }
        return left
    }

    private mutating func unary(withFilter: Bool) throws -> Expr {
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

    private mutating func primary() throws -> Expr {
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

    private mutating func postfix(_ base: Expr) throws -> Expr {
        var node = base
        while true {
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

    private mutating func subscriptExpr(_ base: Expr) throws -> Expr {
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

    private mutating func callArguments() throws -> [Argument] {
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

    private mutating func filtersAndTests(_ base: Expr) throws -> Expr {
        var node = base
        while true {
            if isOp("|") {
                p += 1
                let nameLoc = cur.loc
                let name = try identifier()
                guard Filters.known.contains(name) else {
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
                guard Tests.known.contains(name) else { throw TemplateError.syntax("unknown test '\(name)'", nameLoc) }
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

    private func startsBareTestArgument() -> Bool {
        switch cur.kind {
        case .name(let n): return !["else", "or", "and", "if", "in", "not", "is"].contains(n)
        case .string, .int, .double: return true
        case .op(let o): return o == "[" || o == "{"
        default: return false
        }
    }
}
