import Foundation

/// A variable scope; `for` iterations and macro calls get a child scope, `if` does not (as in Jinja).
final class Scope {
    private var vars: [String: Value] = [:]
    let parent: Scope?
    init(parent: Scope?) { self.parent = parent }

    func lookup(_ name: String) -> Value? {
        var s: Scope? = self
        while let cur = s {
            if let v = cur.vars[name] { return v }
            s = cur.parent
        }
        return nil
    }
    func set(_ name: String, _ value: Value) { vars[name] = value }
    /// Replaces the variable where it is defined (used by list.append); false if undefined.
    func replaceExisting(_ name: String, _ value: Value) -> Bool {
        var s: Scope? = self
        while let cur = s {
            if cur.vars[name] != nil { cur.vars[name] = value; return true }
            s = cur.parent
        }
        return false
    }
}

/// Tree-walking evaluator.
///
/// Every statement and expression node costs one step; operations that build strings or lists
/// check their size (before building where it is known up front) and charge it to the render's
/// allocation budget; heavy internal work (searching, comparing, printing containers) ticks the
/// clock so the time limit and the cancellation hook are honoured even inside one big operation.
final class Interpreter {
    enum Flow { case normal, breakLoop, continueLoop }

    let limits: TemplateLimits
    var out = ""
    var loc = SourceLocation(line: 1, column: 1)
    var iterations = 0
    /// Nesting of `exec` blocks and `eval` calls (native stack use).
    var depth = 0
    var macroDepth = 0
    var steps = 0
    var allocated = 0
    /// > 0 while rendering into a capture buffer (set blocks, filter blocks, macro bodies).
    var captureDepth = 0
    /// Work units left until the next clock / cancellation check.
    var untilCheck = Interpreter.checkInterval
    static let checkInterval = 4096
    let clock = ContinuousClock()
    let start: ContinuousClock.Instant
    /// Every namespace made during the render: held so that a chain of namespaces is never freed
    /// recursively, and emptied by `finish()` so that cycles (`ns.self = ns`) do not leak.
    var namespaces: [Namespace] = []

    init(limits: TemplateLimits) {
        self.limits = limits.validated
        start = clock.now
    }

    /// Breaks reference cycles a template may have made through namespaces.
    func finish() {
        for n in namespaces { n.attrs = Dict() }
        namespaces = []
    }

    func fail(_ message: String) -> TemplateError { .runtime(message, loc) }

    // MARK: Output

    func emit(_ s: String) throws {
        let n = s.utf8.count
        if n == 0 { return }
        let (size, overflow) = out.utf8.count.addingReportingOverflow(n)
        if captureDepth > 0 {
            guard !overflow, size <= limits.maxStringBytes else { throw stringLimitError }
            try charge(n)
        } else {
            guard !overflow, size <= limits.maxOutputBytes else {
                throw limitError("exceeded the output limit of \(limits.maxOutputBytes) bytes")
            }
        }
        out += s
    }

    /// Renders statements into a fresh buffer and returns the text (checked and charged as it grows).
    func capture(_ body: [Stmt], _ scope: Scope) throws -> String {
        let saved = out
        out = ""
        captureDepth += 1
        defer {
            out = saved
            captureDepth -= 1
        }
        _ = try exec(body, scope)
        return out
    }

    /// Python `str(value)`: what `{{ value }}` prints. Containers are printed under the limits.
    func str(_ v: Value) throws -> String {
        switch v {
        case .string(let s): return s
        case .undefined: return ""
        case .array, .object, .namespace: return try repr(v)
        default: return v.scalarRepr
        }
    }

    /// Python `repr(value)`, built under the string limit and charged.
    func repr(_ v: Value) throws -> String {
        var text = ""
        try writeRepr(v, 0, &text)
        try charge(text.utf8.count)
        return text
    }

    private func writeRepr(_ v: Value, _ level: Int, _ text: inout String) throws {
        try tick()
        switch v {
        case .string(let s):
            try tick(s.utf8.count >> 8)
            let layout = Value.pyReprLayout(s)
            guard try total(text.utf8.count, layout.size) <= limits.maxStringBytes else { throw stringLimitError }
            Value.pyRepr(s, layout: layout, into: &text)
        case .array(let a):
            guard level < limits.maxValueDepth else { throw valueDepthError }
            text += "["
            for (k, x) in a.enumerated() {
                if k > 0 { text += ", " }
                try writeRepr(x, level + 1, &text)
            }
            text += "]"
        case .object(let o):
            guard level < limits.maxValueDepth else { throw valueDepthError }
            text += "{"
            for (k, (key, x)) in o.items.enumerated() {
                if k > 0 { text += ", " }
                try writeRepr(key, level + 1, &text)
                text += ": "
                try writeRepr(x, level + 1, &text)
            }
            text += "}"
        case .namespace(let n):
            guard level < limits.maxValueDepth else { throw valueDepthError }
            text += "<Namespace "
            try writeRepr(.object(n.attrs), level + 1, &text)
            text += ">"
        default:
            text += v.scalarRepr
        }
        guard text.utf8.count <= limits.maxStringBytes else { throw stringLimitError }
    }

    /// JSON text under the string limit (charged).
    func json(_ v: Value, indent: String?, sortKeys: Bool, itemSeparator: String? = nil, keySeparator: String = ": ") throws -> String {
        var text = ""
        try JSONWriter.write(v, indent: indent, sortKeys: sortKeys, level: 0, into: &text, itemSeparator: itemSeparator,
                             keySeparator: keySeparator) { bytes, level in
            guard level <= self.limits.maxValueDepth else { throw self.valueDepthError }
            guard bytes <= self.limits.maxStringBytes else { throw self.stringLimitError }
            try self.tick()
        }
        return try produced(text)
    }

    // MARK: Statements

    func exec(_ stmts: [Stmt], _ scope: Scope) throws -> Flow {
        depth += 1
        defer { depth -= 1 }
        guard depth <= limits.maxDepth else { throw limitError("exceeded the expression depth of \(limits.maxDepth)") }
        for stmt in stmts {
            loc = stmt.loc
            try step()
            switch stmt.kind {
            case .text(let s):
                try emit(s)
            case .output(let e):
                try emit(try str(try eval(e, scope)))
            case .ifStmt(let branches, let otherwise):
                var taken = false
                for b in branches where try eval(b.cond, scope).truthy {
                    taken = true
                    let f = try exec(b.body, scope)
                    if f != .normal { return f }
                    break
                }
                if !taken {
                    let f = try exec(otherwise, scope)
                    if f != .normal { return f }
                }
            case .forStmt(let target, let iterExpr, let filter, let body, let otherwise):
                try runFor(target, iterExpr, filter, body, otherwise, scope)
            case .set(let target, let e):
                try assign(target, try eval(e, scope), scope)
            case .setBlock(let name, let filters, let body):
                var v = Value.string(try capture(body, Scope(parent: scope)))
                for (f, args) in filters { v = try Filters.apply(f, v, try evalArgs(args, scope), self) }
                scope.set(name, v)
            case .filterBlock(let filters, let body):
                var v = Value.string(try capture(body, Scope(parent: scope)))
                for (f, args) in filters { v = try Filters.apply(f, v, try evalArgs(args, scope), self) }
                try emit(try str(v))
            case .macro(let name, let params, let body):
                scope.set(name, .callable(makeMacro(name, params, body, scope)))
            case .callBlock(let callee, let body):
                // Weak: the caller may be stored in a namespace, which must not keep the scope alive in a cycle.
                let caller = Callable("caller") { [unowned self, weak scope] _, _ in
                    guard let scope else { throw self.fail("'caller' used after its block ended") }
                    return .string(try self.capture(body, Scope(parent: scope)))
                }
                guard case .call(let fnExpr, let args) = callee else { throw fail("'call' block needs a macro call") }
                var evaluated = try evalArgs(args, scope)
                evaluated.kwargs.append(("caller", .callable(caller)))
                try emit(try str(try invoke(try eval(fnExpr, scope), evaluated)))
            case .block(let body):
                let f = try exec(body, scope)
                if f != .normal { return f }
            case .breakLoop:
                return .breakLoop
            case .continueLoop:
                return .continueLoop
            }
        }
        return .normal
    }

    private func runFor(_ target: Target, _ iterExpr: Expr, _ filter: Expr?, _ body: [Stmt], _ otherwise: [Stmt],
                        _ scope: Scope) throws {
        let forLoc = loc
        var items = try iterate(try eval(iterExpr, scope))
        if let filter {
            items = try items.filter { item in
                let s = Scope(parent: scope)
                try bind(target, item, s)
                return try eval(filter, s).truthy
            }
        }
        if items.isEmpty {
            _ = try exec(otherwise, scope)
            return
        }
        let n = items.count
        for (k, item) in items.enumerated() {
            iterations += 1
            if iterations > limits.maxLoopIterations { throw loopLimitError }
            let s = Scope(parent: scope)
            try bind(target, item, s)
            var loop = Dict()
            loop["index"] = .int(k + 1)
            loop["index0"] = .int(k)
            loop["revindex"] = .int(n - k)
            loop["revindex0"] = .int(n - k - 1)
            loop["first"] = .bool(k == 0)
            loop["last"] = .bool(k == n - 1)
            loop["length"] = .int(n)
            loop["depth"] = .int(1)
            loop["depth0"] = .int(0)
            loop["previtem"] = k > 0 ? items[k - 1] : .undefined
            loop["nextitem"] = k + 1 < n ? items[k + 1] : .undefined
            loop["cycle"] = .callable(Callable("cycle") { args, _ in args.isEmpty ? .none : args[k % args.count] })
            s.set("loop", .object(loop))
            let flow = try exec(body, s)
            loc = forLoc
            if flow == .breakLoop { break }
        }
    }

    /// Python iteration: lists, dict keys, string characters; Undefined iterates as empty.
    func iterate(_ v: Value) throws -> [Value] {
        switch v {
        case .array(let a): return a
        case .object(let o): return o.keyValues
        case .string(let s):
            // A character is at least one byte: only count when the byte size could exceed the list limit.
            if s.utf8.count > limits.maxListItems, s.count > limits.maxListItems { throw listLimitError }
            try reserveList(s.utf8.count < 64 ? s.utf8.count : s.count)
            return s.map { .string(String($0)) }
        case .undefined: return []
        case .namespace(let n): return n.attrs.keys.map { .string($0) }
        default: throw fail("'\(v.typeName)' object is not iterable")
        }
    }

    private func bind(_ target: Target, _ value: Value, _ scope: Scope) throws {
        switch target {
        case .name(let n): scope.set(n, value)
        case .tuple(let names):
            let parts = try iterate(value)
            guard parts.count == names.count else {
                throw fail("cannot unpack \(parts.count) values into \(names.count) names")
            }
            for (n, v) in zip(names, parts) { scope.set(n, v) }
        case .attr: throw fail("cannot use an attribute as a loop target")
        }
    }

    private func assign(_ target: Target, _ value: Value, _ scope: Scope) throws {
        switch target {
        case .attr(let obj, let attr):
            guard case .namespace(let ns) = scope.lookup(obj) ?? .undefined else {
                throw fail("cannot assign attribute on non-namespace object '\(obj)'")
            }
            ns.attrs[attr] = value
        default: try bind(target, value, scope)
        }
    }

    /// Tracks a namespace made by `namespace(...)` (see `namespaces`).
    func adopt(_ n: Namespace) throws -> Value {
        try charge(256)
        namespaces.append(n)
        return .namespace(n)
    }

    private func makeMacro(_ name: String, _ params: [MacroParam], _ body: [Stmt], _ defScope: Scope) -> Callable {
        // Weak: the scope holds the macro, so a strong reference would be a cycle that leaks every render.
        Callable(name) { [unowned self, weak defScope] args, kwargs in
            guard let defScope else { throw self.fail("macro '\(name)' called after its scope ended") }
            let s = Scope(parent: defScope)
            for (k, p) in params.enumerated() {
                if k < args.count {
                    s.set(p.name, args[k])
                } else if let kw = kwargs.first(where: { $0.0 == p.name }) {
                    s.set(p.name, kw.1)
                } else if let d = p.defaultValue {
                    s.set(p.name, try self.eval(d, s))
                } else {
                    s.set(p.name, .undefined)
                }
            }
            s.set("varargs", .array(args.count > params.count ? Array(args[params.count...]) : []))
            if let caller = kwargs.first(where: { $0.0 == "caller" }) { s.set("caller", caller.1) }
            let saveLoc = self.loc
            defer { self.loc = saveLoc }
            return .string(try self.capture(body, s))
        }
    }

    struct Args {
        var positional: [Value]
        var kwargs: [(String, Value)]
    }

    func evalArgs(_ args: [Argument], _ scope: Scope) throws -> Args {
        var out = Args(positional: [], kwargs: [])
        for a in args {
            let v = try eval(a.value, scope)
            if let n = a.name { out.kwargs.append((n, v)) } else { out.positional.append(v) }
        }
        return out
    }

    func invoke(_ fn: Value, _ args: Args) throws -> Value {
        guard case .callable(let c) = fn else { throw fail("'\(fn.typeName)' object is not callable") }
        macroDepth += 1
        defer { macroDepth -= 1 }
        guard macroDepth <= limits.maxMacroDepth else {
            throw limitError("exceeded the macro recursion depth of \(limits.maxMacroDepth)")
        }
        return try c.body(args.positional, args.kwargs)
    }

    // MARK: Expressions

    func eval(_ e: Expr, _ scope: Scope) throws -> Value {
        try step()
        depth += 1
        defer { depth -= 1 }
        guard depth <= limits.maxDepth else { throw limitError("exceeded the expression depth of \(limits.maxDepth)") }
        switch e {
        case .literal(let l):
            switch l {
            case .string(let s): return .string(s)
            case .int(let i): return .int(i)
            case .double(let d): return .double(d)
            case .bool(let b): return .bool(b)
            case .none: return .none
            }
        case .name(let n):
            return scope.lookup(n) ?? Builtins.function(n, self) ?? .undefined
        case .list(let items), .tuple(let items):
            let v = Value.array(try items.map { try eval($0, scope) })
            try checkNesting(v)
            return v
        case .dict(let pairs):
            var d = Dict()
            for (k, v) in pairs {
                let key = try eval(k, scope)
                guard let dk = DictKey(key) else { throw fail("unhashable dict key of type '\(key.typeName)'") }
                d[dk] = try eval(v, scope)
            }
            try checkNesting(.object(d))
            return .object(d)
        case .attr(let base, let name):
            return try Ops.attribute(try eval(base, scope), name, self)
        case .index(let base, let idx):
            return try Ops.item(try eval(base, scope), try eval(idx, scope), self)
        case .slice(let base, let start, let stop, let step):
            return try Ops.slice(try eval(base, scope), try start.map { try eval($0, scope) },
                                 try stop.map { try eval($0, scope) }, try step.map { try eval($0, scope) }, self)
        case .call(let callee, let args):
            let evaluated = try evalArgs(args, scope)
            if case .attr(let objExpr, let method) = callee {
                let obj = try eval(objExpr, scope)
                if let r = try Methods.call(obj, method, evaluated, self) {
                    if method == "append", case .name(let varName) = objExpr, case .array(var a) = obj {
                        let item = evaluated.positional.first ?? .none
                        guard a.count < limits.maxListItems else { throw listLimitError }
                        try charge(16)
                        try tick(a.count >> 6)  // the append copies the list
                        try checkNesting(.array([item]))
                        a.append(item)
                        _ = scope.replaceExisting(varName, .array(a))
                    }
                    return r
                }
                return try invoke(try Ops.attribute(obj, method, self), evaluated)
            }
            let fn = try eval(callee, scope)
            if case .undefined = fn, case .name(let n) = callee { throw fail("'\(n)' is undefined") }
            return try invoke(fn, evaluated)
        case .filter(let base, let name, let args):
            return try Filters.apply(name, try eval(base, scope), try evalArgs(args, scope), self)
        case .test(let base, let name, let args, let negated):
            let r = try Tests.apply(name, try eval(base, scope), try evalArgs(args, scope), self)
            return .bool(negated ? !r : r)
        case .unary(let op, let operand):
            let v = try eval(operand, scope)
            switch op {
            case "not": return .bool(!v.truthy)
            case "-": return try Ops.negate(v, self)
            default: return v
            }
        case .binary(let op, let l, let r):
            return try Ops.binary(op, try eval(l, scope), try eval(r, scope), self)
        case .and(let l, let r):
            let lv = try eval(l, scope)
            return lv.truthy ? try eval(r, scope) : lv
        case .or(let l, let r):
            let lv = try eval(l, scope)
            return lv.truthy ? lv : try eval(r, scope)
        case .compare(let first, let rest):
            var left = try eval(first, scope)
            for (op, rexpr) in rest {
                let right = try eval(rexpr, scope)
                if !(try Ops.compare(op, left, right, self)) { return .bool(false) }
                left = right
            }
            return .bool(true)
        case .conditional(let then, let cond, let otherwise):
            if try eval(cond, scope).truthy { return try eval(then, scope) }
            return try otherwise.map { try eval($0, scope) } ?? .undefined
        }
    }
}
