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

    /// `obj.name`: dict key, namespace attribute; anything else is undefined. Templates read data only:
    /// dunder names (`__class__`, `__init__`, `__globals__`, `__dict__`...) on anything, and private
    /// (`_x`) names on values that are not mappings, are errors rather than a way into internals.
    static func attribute(_ v: Value, _ name: String, _ it: Interpreter) throws -> Value {
        if name.hasPrefix("__") || (name.hasPrefix("_") && !v.isMapping) {
            throw it.fail("access to attribute '\(name)' of a '\(v.typeName)' value is not allowed")
        }
        switch v {
        case .object(let o): return o[name] ?? .undefined
        case .namespace(let n): return n.attrs[name] ?? .undefined
        default: return .undefined
        }
    }

    /// `obj[key]`: dict lookup, list/string index (negative from the end); misses are undefined.
    static func item(_ v: Value, _ key: Value, _ it: Interpreter) throws -> Value {
        switch (v, key) {
        case (.object(let o), _): return DictKey(key).flatMap { o[$0] } ?? .undefined
        case (.namespace(let n), .string(let k)): return n.attrs[k] ?? .undefined
        case (.array(let a), _):
            guard let i = intValue(key) else { return .undefined }
            let j = i < 0 ? a.count + i : i
            return j >= 0 && j < a.count ? a[j] : .undefined
        case (.string(let s), _):
            guard let i = intValue(key) else { return .undefined }
            try it.tick(s.utf8.count >> 8)
            if i >= 0 {
                guard let k = s.index(s.startIndex, offsetBy: i, limitedBy: s.endIndex), k < s.endIndex else { return .undefined }
                return .string(String(s[k]))
            }
            guard let k = s.index(s.endIndex, offsetBy: i, limitedBy: s.startIndex) else { return .undefined }
            return .string(String(s[k]))
        default: return .undefined
        }
    }

    /// Python slice of a sequence of length `n`: the first index, the step and the number of items.
    static func sliceRange(_ n: Int, _ start: Value?, _ stop: Value?, _ step: Value?,
                           _ it: Interpreter) throws -> (first: Int, step: Int, count: Int) {
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
        if st > 0 {
            let i = clamp(try opt(start), 0)
            let end = clamp(try opt(stop), n)
            return (i, st, i < end ? (end - i - 1) / st + 1 : 0)
        }
        let i = clamp(try opt(start), n - 1)
        let end = clamp(try opt(stop), -1)
        return (i, st, i > end ? Int(UInt(i - end - 1) / st.magnitude) + 1 : 0)
    }

    static func slice(_ v: Value, _ start: Value?, _ stop: Value?, _ step: Value?, _ it: Interpreter) throws -> Value {
        switch v {
        case .array(let a):
            let r = try sliceRange(a.count, start, stop, step, it)
            var out: [Value] = []
            out.reserveCapacity(r.count)
            var i = r.first
            for k in 0..<r.count {
                out.append(a[i])
                if k + 1 < r.count { i += r.step }
            }
            try it.tick(r.count >> 4)
            return .array(out)
        case .string(let s):
            let r = try sliceRange(s.count, start, stop, step, it)
            try it.tick(s.utf8.count >> 8)
            if r.count == 0 { return .string("") }
            if r.step == 1 {
                let a = s.index(s.startIndex, offsetBy: r.first)
                return try it.string(String(s[a..<s.index(a, offsetBy: r.count)]))
            }
            var out = ""
            var next = r.first
            var taken = 0
            func take(_ offset: Int, _ c: Character) -> Bool {
                guard offset == next else { return true }
                out.append(c)
                taken += 1
                if taken == r.count { return false }
                next += r.step
                return true
            }
            if r.step > 0 {
                for (offset, c) in s.enumerated() where !take(offset, c) { break }
            } else {
                let n = s.count
                for (back, c) in s.reversed().enumerated() where !take(n - 1 - back, c) { break }
            }
            return try it.string(out)
        case .undefined: return .undefined
        default: throw it.fail("'\(v.typeName)' object is not subscriptable")
        }
    }

    /// `s * n` for n > 0, built by doubling after checking the size.
    static func repeated(_ s: String, _ n: Int, _ it: Interpreter) throws -> String {
        guard n > 0, !s.isEmpty else { return "" }
        let (size, overflow) = s.utf8.count.multipliedReportingOverflow(by: n)
        guard !overflow else { throw it.stringLimitError }
        try it.reserve(size)
        var result = ""
        result.reserveCapacity(size)
        var chunk = s
        var k = n
        while k > 0 {
            if k & 1 == 1 { result += chunk }
            k >>= 1
            if k > 0 {
                let copy = chunk
                chunk += copy
            }
        }
        return result
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
        if op == "~" {
            let a = try it.str(l)
            let b = try it.str(r)
            try it.reserve(try it.total(a.utf8.count, b.utf8.count))
            return .string(a + b)
        }
        if l.isUndefined || r.isUndefined {
            throw it.fail("unsupported operand for '\(op)': value is undefined")
        }
        switch (op, l, r) {
        case ("+", .string(let a), .string(let b)):
            try it.reserve(try it.total(a.utf8.count, b.utf8.count))
            return .string(a + b)
        case ("+", .array(let a), .array(let b)):
            let (n, overflow) = a.count.addingReportingOverflow(b.count)
            if overflow { throw it.listLimitError }
            try it.reserveList(n)
            return .array(a + b)
        case ("*", .string(let s), _), ("*", _, .string(let s)):
            guard let n = intValue(l) ?? intValue(r), !(l.isString && r.isString) else { break }
            return .string(try repeated(s, n, it))
        case ("*", .array(let a), _), ("*", _, .array(let a)):
            guard let n = intValue(l) ?? intValue(r) else { break }
            guard n > 0, !a.isEmpty else { return .array([]) }
            let (size, overflow) = a.count.multipliedReportingOverflow(by: n)
            if overflow { throw it.listLimitError }
            try it.reserveList(size)
            var out: [Value] = []
            out.reserveCapacity(size)
            for _ in 0..<n { out.append(contentsOf: a) }
            return .array(out)
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

    static func equal(_ a: Value, _ b: Value, _ it: Interpreter) throws -> Bool {
        try it.tick()
        switch (a, b) {
        case (.string(let x), .string(let y)):
            try it.tick(min(x.utf8.count, y.utf8.count) >> 8)
            return x == y
        case (.array(let x), .array(let y)):
            guard x.count == y.count else { return false }
            if x.bufferIdentity == y.bufferIdentity { return true }  // the same list (Python compares identity first too)
            for (p, q) in zip(x, y) where try !equal(p, q, it) { return false }
            return true
        case (.object(let x), .object(let y)):
            guard x.count == y.count else { return false }
            for (k, v) in x.items {
                guard let w = DictKey(k).flatMap({ y[$0] }), try equal(v, w, it) else { return false }
            }
            return true
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
        try it.tick()
        switch (a, b) {
        case (.string(let x), .string(let y)):
            try it.tick(min(x.utf8.count, y.utf8.count) >> 8)
            return x.unicodeScalars.lexicographicallyPrecedes(y.unicodeScalars)
        case (.array(let x), .array(let y)):
            for (p, q) in zip(x, y) where try !equal(p, q, it) { return try less(p, q, it) }
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
            try it.tick(s.utf8.count >> 8)
            return sub.isEmpty || ByteSearch.first(s, sub) != nil
        case .array(let a):
            for x in a where try equal(x, item, it) { return true }
            return false
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
        case "==": return try equal(l, r, it)
        case "!=": return try !equal(l, r, it)
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
    var isMapping: Bool {
        switch self {
        case .object, .namespace: return true
        default: return false
        }
    }
}
