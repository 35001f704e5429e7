/// Jinja tests (`value is name(args)`).
enum Tests {
    static let known: Set<String> = [
        "defined", "undefined", "none", "string", "number", "integer", "float", "boolean", "mapping", "iterable",
        "sequence", "true", "false", "even", "odd", "equalto", "eq", "==", "ne", "!=", "lt", "<", "gt", ">", "le",
        "<=", "ge", ">=", "callable", "divisibleby", "in", "lower", "upper", "sameas", "escaped", "filter", "test",
    ]

    static func apply(_ name: String, _ v: Value, _ a: Interpreter.Args, _ it: Interpreter) throws -> Bool {
        let other = a.positional.first ?? a.kwargs.first?.1 ?? .undefined
        switch name {
        case "defined": return !v.isUndefined
        case "undefined": return v.isUndefined
        case "none": return v.isNone
        case "string": return v.isString
        case "number":
            switch v { case .int, .double, .bool: return true; default: return false }
        case "integer": if case .int = v { return true }; return false
        case "float": if case .double = v { return true }; return false
        case "boolean": if case .bool = v { return true }; return false
        case "mapping":
            switch v { case .object, .namespace: return true; default: return false }
        case "iterable":
            switch v { case .string, .array, .object, .undefined, .namespace: return true; default: return false }
        case "sequence":
            switch v { case .string, .array, .object: return true; default: return false }
        case "true": if case .bool(true) = v { return true }; return false
        case "false": if case .bool(false) = v { return true }; return false
        case "even", "odd":
            guard let i = Ops.intValue(v) else { throw it.fail("\(name) test expects an integer") }
            return (i % 2 == 0) == (name == "even")
        case "divisibleby":
            guard let i = Ops.intValue(v), let n = Ops.intValue(other), n != 0 else {
                throw it.fail("divisibleby expects non-zero integers")
            }
            return i.remainderReportingOverflow(dividingBy: n).partialValue == 0  // Int.min % -1 is 0
        case "equalto", "eq", "==": return try Ops.equal(v, other, it)
        case "ne", "!=": return try !Ops.equal(v, other, it)
        case "lt", "<": return try Ops.less(v, other, it)
        case "gt", ">": return try Ops.less(other, v, it)
        case "le", "<=": return try !Ops.less(other, v, it)
        case "ge", ">=": return try !Ops.less(v, other, it)
        case "in": return try Ops.contains(other, v, it)
        case "sameas":
            switch (v, other) {
            case (.none, .none): return true
            case (.bool(let x), .bool(let y)): return x == y
            default: return try Ops.equal(v, other, it)
            }
        case "callable": if case .callable = v { return true }; return false
        case "lower", "upper":
            let s = try it.str(v)
            try it.tick(s.utf8.count >> 8)
            return s == (name == "lower" ? s.lowercased() : s.uppercased())
        case "escaped": return false
        case "filter": return Filters.known.contains(try it.str(v))
        case "test": return known.contains(try it.str(v))
        default: throw it.fail("unknown test '\(name)'")
        }
    }
}
