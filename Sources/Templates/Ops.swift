import Foundation

/// Python-semantics operators on runtime values.
enum Ops {
    static func intValue(_ v: Value) -> Int? {
        switch v {
        case .int(let i): return i
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    static func doubleValue(_ v: Value) -> Double? {
        switch v {
        case .int(let i): return Double(i)
        case .double(let d): return d
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    /// `obj.name`: dict key, namespace attribute; anything else is undefined.
    static func attribute(_ v: Value, _ name: String) -> Value {
        switch v {
        case .object(let o): return o[name] ?? .undefined
        case .namespace(let n): return n.attrs[name] ?? .undefined
        default: return .undefined
        }
    }

    /// `obj[key]`: dict lookup, list/string index (negative from the end); misses are undefined.
    static func item(_ v: Value, _ key: Value) -> Value {
        switch (v, key) {
        case (.object(let o), _): return DictKey(key).flatMap { o[$0] } ?? .undefined
        case (.namespace(let n), .string(let k)): return n.attrs[k] ?? .undefined
        case (.array(let a), _):
            guard let i = intValue(key) else { return .undefined }
            let j = i < 0 ? a.count + i : i
            return j >= 0 && j < a.count ? a[j] : .undefined
        case (.string(let s), _):
            guard let i = intValue(key) else { return .undefined }
            let chars = Array(s)
            let j = i < 0 ? chars.count + i : i
            return j >= 0 && j < chars.count ? .string(String(chars[j])) : .undefined
        default: return .undefined
        }
    }

    /// Python slice indices for a sequence of length `n`.
    static func sliceIndices(_ n: Int, _ start: Value?, _ stop: Value?, _ step: Value?, _ it: Interpreter) throws -> [Int] {
        func opt(_ v: Value?) throws -> Int? {
            guard let v, !v.isNone, !v.isUndefined else { return nil }
            guard let i = intValue(v) else { throw it.fail("slice indices must be integers") }
            return i
        }
        let st = try opt(step) ?? 1
        guard st != 0 else { throw it.fail("slice step cannot be zero") }
        func clamp(_ i: Int?, _ def: Int) -> Int {
            guard var i else { return def }
            if i < 0 { i += n }
            if st > 0 { return min(max(i, 0), n) }
            return min(max(i, -1), n - 1)
        }
        var out: [Int] = []
        if st > 0 {
            var i = clamp(try opt(start), 0)
            let end = clamp(try opt(stop), n)
            while i < end {
                out.append(i)
                let (nx, o) = i.addingReportingOverflow(st)
                if o { break }
                i = nx
            }
        } else {
            var i = clamp(try opt(start), n - 1)
            let end = clamp(try opt(stop), -1)
            while i > end {
                out.append(i)
                let (nx, o) = i.addingReportingOverflow(st)
                if o { break }
                i = nx
            }
        }
        return out
    }

    static func slice(_ v: Value, _ start: Value?, _ stop: Value?, _ step: Value?, _ it: Interpreter) throws -> Value {
        switch v {
        case .array(let a):
            return .array(try sliceIndices(a.count, start, stop, step, it).map { a[$0] })
        case .string(let s):
            let chars = Array(s)
            return .string(String(try sliceIndices(chars.count, start, stop, step, it).map { chars[$0] }))
        case .undefined: return .undefined
        default: throw it.fail("'\(v.typeName)' object is not subscriptable")
        }
    }

    static func negate(_ v: Value, _ it: Interpreter) throws -> Value {
        switch v {
        case .int(let i):
            let (r, o) = (0).subtractingReportingOverflow(i)
            if o { throw it.fail("integer overflow") }
            return .int(r)
        case .bool(let b): return .int(b ? -1 : 0)
        case .double(let d): return .double(-d)
        default: throw it.fail("bad operand type for unary -: '\(v.typeName)'")
        }
    }

    private static func checkedInt(_ r: (partialValue: Int, overflow: Bool), _ it: Interpreter) throws -> Value {
        if r.overflow { throw it.fail("integer overflow") }
        return .int(r.partialValue)
    }

    static func binary(_ op: String, _ l: Value, _ r: Value, _ it: Interpreter) throws -> Value {
        if op == "~" { return .string(l.str + r.str) }
        if l.isUndefined || r.isUndefined {
            throw it.fail("unsupported operand for '\(op)': value is undefined")
        }
        let maxLen = it.limits.maxOutputBytes
        switch (op, l, r) {
        case ("+", .string(let a), .string(let b)): return .string(a + b)
        case ("+", .array(let a), .array(let b)): return .array(a + b)
        case ("*", .string(let s), _), ("*", _, .string(let s)):
            guard let n = intValue(l) ?? intValue(r), !(l.isString && r.isString) else { break }
            let size = s.utf8.count.multipliedReportingOverflow(by: n)
            guard n <= 0 || (!size.overflow && size.partialValue <= maxLen) else {
                throw TemplateError.limitExceeded("string repetition too large")
            }
            return .string(n > 0 ? String(repeating: s, count: n) : "")
        case ("*", .array(let a), _), ("*", _, .array(let a)):
            guard let n = intValue(l) ?? intValue(r) else { break }
            let size = a.count.multipliedReportingOverflow(by: n)
            guard n <= 0 || (!size.overflow && size.partialValue <= maxLen) else {
                throw TemplateError.limitExceeded("list repetition too large")
            }
            return .array(n > 0 ? Array([[Value]](repeating: a, count: n).joined()) : [])
        default: break
        }
        if let a = intValue(l), let b = intValue(r) {
            switch op {
            case "+": return try checkedInt(a.addingReportingOverflow(b), it)
            case "-": return try checkedInt(a.subtractingReportingOverflow(b), it)
            case "*": return try checkedInt(a.multipliedReportingOverflow(by: b), it)
            case "/":
                guard b != 0 else { throw it.fail("division by zero") }
                return .double(Double(a) / Double(b))
            case "//", "%":
                guard b != 0 else { throw it.fail("integer division or modulo by zero") }
                if a == Int.min && b == -1 { throw it.fail("integer overflow") }
                var q = a / b
                var m = a % b
                if m != 0 && ((m < 0) != (b < 0)) { q -= 1; m += b }
                return .int(op == "//" ? q : m)
            case "**":
                if b >= 0 {
                    var result = 1
                    for _ in 0..<min(b, 64) {
                        let (v, o) = result.multipliedReportingOverflow(by: a)
                        if o { throw it.fail("integer overflow") }
                        result = v
                    }
                    if b > 64 && abs(a) > 1 { throw it.fail("integer overflow") }
                    if b > 64 && a == -1 { return .int(b % 2 == 0 ? 1 : -1) }
                    return .int(result)
                }
                return .double(pow(Double(a), Double(b)))
            default: break
            }
        }
        if let a = doubleValue(l), let b = doubleValue(r) {
            switch op {
            case "+": return .double(a + b)
            case "-": return .double(a - b)
            case "*": return .double(a * b)
            case "/":
                guard b != 0 else { throw it.fail("division by zero") }
                return .double(a / b)
            case "//":
                guard b != 0 else { throw it.fail("float floor division by zero") }
                return .double((a / b).rounded(.down))
            case "%":
                guard b != 0 else { throw it.fail("float modulo") }
                let m = a.truncatingRemainder(dividingBy: b)
                return .double(m != 0 && ((m < 0) != (b < 0)) ? m + b : m)
            case "**": return .double(pow(a, b))
            default: break
            }
        }
        throw it.fail("unsupported operand type(s) for \(op): '\(l.typeName)' and '\(r.typeName)'")
    }

    static func equal(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.string(let x), .string(let y)): return x == y
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case (.object(let x), .object(let y)):
            return x.count == y.count && x.items.allSatisfy { k, v in DictKey(k).flatMap { y[$0] }.map { equal(v, $0) } ?? false }
        case (.none, .none), (.undefined, .undefined): return true
        case (.namespace(let x), .namespace(let y)): return x === y
        case (.callable(let x), .callable(let y)): return x === y
        default:
            if let x = intValue(a), let y = intValue(b) { return x == y }
            if let x = doubleValue(a), let y = doubleValue(b) { return x == y }
            return false
        }
    }

    static func less(_ a: Value, _ b: Value, _ it: Interpreter) throws -> Bool {
        switch (a, b) {
        case (.string(let x), .string(let y)): return x.unicodeScalars.lexicographicallyPrecedes(y.unicodeScalars)
        case (.array(let x), .array(let y)):
            for (p, q) in zip(x, y) where !equal(p, q) { return try less(p, q, it) }
            return x.count < y.count
        default:
            if let x = intValue(a), let y = intValue(b) { return x < y }
            if let x = doubleValue(a), let y = doubleValue(b) { return x < y }
            throw it.fail("'<' not supported between '\(a.typeName)' and '\(b.typeName)'")
        }
    }

    static func contains(_ container: Value, _ item: Value, _ it: Interpreter) throws -> Bool {
        switch container {
        case .string(let s):
            guard case .string(let sub) = item else { throw it.fail("'in <string>' requires string as left operand") }
            return sub.isEmpty || s.contains(sub)
        case .array(let a): return a.contains { equal($0, item) }
        case .object(let o): return DictKey(item).flatMap { o[$0] } != nil
        case .namespace(let n):
            guard case .string(let k) = item else { return false }
            return n.attrs[k] != nil
        case .undefined: return false
        default: throw it.fail("argument of type '\(container.typeName)' is not iterable")
        }
    }

    static func compare(_ op: String, _ l: Value, _ r: Value, _ it: Interpreter) throws -> Bool {
        switch op {
        case "==": return equal(l, r)
        case "!=": return !equal(l, r)
        case "<": return try less(l, r, it)
        case ">": return try less(r, l, it)
        case "<=": return try !less(r, l, it)
        case ">=": return try !less(l, r, it)
        case "in": return try contains(r, l, it)
        case "notin": return try !contains(r, l, it)
        default: throw it.fail("unknown comparison '\(op)'")
        }
    }
}

extension Value {
    var isString: Bool { if case .string = self { return true }; return false }
}
