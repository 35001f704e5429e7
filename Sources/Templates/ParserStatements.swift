/// Statement parsing: if / for / set / macro / call / filter / generation / break / continue.
extension Parser {
    // MARK: Statements

    /// Parses statements until a `{% name %}` with name in `until`; returns that name (already consumed
    /// up to the name, the rest of the tag is left to the caller) or nil at end of input.
    mutating func parseBody(until: Set<String>) throws -> ([Stmt], String?) {
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

    mutating func statement(_ kw: String, loc: SourceLocation) throws -> Stmt {
        depth += 1
        defer { depth -= 1 }
        guard depth < Parser.maxDepth else { throw TemplateError.syntax("statements nested too deeply", loc) }
        switch kw {
        case "if":
            var branches: [IfBranch] = []
            var cond = try expression()
            try expectStmtClose()
            conditionalDepth += 1
            defer { conditionalDepth -= 1 }
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
    mutating func filterChain(leadingNameAt: Bool = false) throws -> [(String, [Argument])] {
        var out: [(String, [Argument])] = []
        var first = leadingNameAt
        while first || isOp("|") {
            if first { first = false } else { p += 1 }
            let nameLoc = cur.loc
            let name = try identifier()
            guard Filters.known.contains(name) || conditionalDepth > 0 else { throw TemplateError.syntax("unknown filter '\(name)'", nameLoc) }
            out.append((name, isOp("(") ? try callArguments() : []))
        }
        return out
    }
}
