import Foundation

/// Jinja filters (`value | name(args)`).
enum Filters {
    static let known: Set<String> = [
        "trim", "strip", "lower", "upper", "capitalize", "title", "length", "count", "first", "last", "join",
        "default", "d", "tojson", "items", "keys", "values", "list", "reverse", "sort", "unique", "replace",
        "split", "string", "int", "float", "abs", "round", "map", "select", "reject", "selectattr", "rejectattr",
        "indent", "safe", "dictsort", "sum", "min", "max", "wordcount", "escape", "e", "attr", "batch", "center",
        "truncate", "bool",
    ]

    private static func arg(_ a: Interpreter.Args, _ name: String, _ pos: Int) -> Value? {
        if pos < a.positional.count { return a.positional[pos] }
        return a.kwargs.first(where: { $0.0 == name })?.1
    }

    /// Follows a dotted attribute path ("a.b") the way Jinja's attribute= arguments do.
    static func path(_ v: Value, _ attribute: String, _ it: Interpreter) throws -> Value {
        var cur = v
        for part in attribute.split(separator: ".") {
            if let i = Int(part), case .array = cur { cur = try Ops.item(cur, .int(i), it) } else { cur = try Ops.attribute(cur, String(part), it) }
        }
        return cur
    }

    private static func sortKey(_ v: Value, caseSensitive: Bool, _ it: Interpreter) throws -> Value {
        if !caseSensitive, case .string(let s) = v { return try it.string(s.lowercased()) }
        return v
    }

    static func sorted(_ items: [Value], reverse: Bool, caseSensitive: Bool, attribute: String?, _ it: Interpreter) throws -> [Value] {
        let keyed = try items.map { item -> (Value, Value) in
            (try sortKey(try attribute.map { try path(item, $0, it) } ?? item, caseSensitive: caseSensitive, it), item)
        }
        var err: Error?
        let r = keyed.enumerated().sorted { x, y in
            if err == nil {
                do {
                    if try Ops.less(x.element.0, y.element.0, it) { return !reverse }
                    if try Ops.less(y.element.0, x.element.0, it) { return reverse }
                } catch { err = error }
            }
            return x.offset < y.offset  // stable
        }
        if let err { throw err }
        return r.map(\.element.1)
    }

    /// `value|escape`: HTML-escapes with the exact result size checked before building it.
    static func escape(_ s: String, _ it: Interpreter) throws -> String {
        var size = 0
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "&"): size += 5
            case UInt8(ascii: "<"), UInt8(ascii: ">"): size += 4
            case UInt8(ascii: "\""), UInt8(ascii: "'"): size += 5
            default: size += 1
            }
        }
        try it.reserve(size)
        if size == s.utf8.count { return s }
        var out = ""
        out.reserveCapacity(size)
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&#34;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(u)
            }
        }
        return out
    }

    /// `value|indent(pad, first, blank)`: lines split at "\n"; the result size is checked before building it.
    static func indent(_ s: String, pad: String, first: Bool, blank: Bool, _ it: Interpreter) throws -> String {
        let u = s.utf8
        func eachLine(_ body: (_ k: Int, _ line: Substring.UTF8View) throws -> Void) rethrows {
            var lineStart = u.startIndex
            var k = 0
            for i in u.indices where u[i] == UInt8(ascii: "\n") {
                try body(k, u[lineStart..<i])
                lineStart = u.index(after: i)
                k += 1
            }
            try body(k, u[lineStart...])
        }
        var padded = first ? 1 : 0
        eachLine { k, line in if k > 0 && (blank || !line.isEmpty) { padded += 1 } }
        let (padBytes, overflow) = pad.utf8.count.multipliedReportingOverflow(by: padded)
        if overflow { throw it.stringLimitError }
        let size = try it.total(u.count, padBytes)
        try it.reserve(size)
        var out = first ? pad : ""
        out.reserveCapacity(size)
        eachLine { k, line in
            if k > 0 {
                out += "\n"
                if blank || !line.isEmpty { out += pad }
            }
            out += String(decoding: line, as: UTF8.self)
        }
        return out
    }

    static func apply(_ name: String, _ v: Value, _ a: Interpreter.Args, _ it: Interpreter) throws -> Value {
        func strArg(_ name: String, _ pos: Int) throws -> String? { try arg(a, name, pos).map { try it.str($0) } }
        switch name {
        case "trim", "strip":
            return try it.string(Methods.strip(try it.str(v), arg(a, "chars", 0), left: true, right: true))
        case "lower": return try it.string(try it.str(v).lowercased())
        case "upper": return try it.string(try it.str(v).uppercased())
        case "capitalize": return try it.string(Methods.capitalize(try it.str(v)))
        case "title": return try it.string(Methods.title(try it.str(v)))
        case "length", "count":
            switch v {
            case .string(let s): return .int(s.count)
            case .array(let x): return .int(x.count)
            case .object(let o): return .int(o.count)
            case .namespace(let n): return .int(n.attrs.count)
            case .undefined: return .int(0)
            default: throw it.fail("object of type '\(v.typeName)' has no len()")
            }
        case "first":
            if case .string(let s) = v { return s.first.map { .string(String($0)) } ?? .undefined }
            return try it.iterate(v).first ?? .undefined
        case "last":
            if case .string(let s) = v { return s.last.map { .string(String($0)) } ?? .undefined }
            return try it.iterate(v).last ?? .undefined
        case "join":
            let sep = try strArg("d", 0) ?? ""
            let attribute = arg(a, "attribute", 1)
            let items = try it.iterate(v).map { item in try attribute.map { try path(item, try it.str($0), it) } ?? item }
            return .string(try Methods.join(items, separator: sep, it))
        case "default", "d":
            let def = arg(a, "default_value", 0) ?? .string("")
            let boolean = arg(a, "boolean", 1)?.truthy ?? false
            if v.isUndefined || (boolean && !v.truthy) { return def }
            return v
        case "tojson":
            let indentValue = arg(a, "indent", 0)
            var indent: String?
            if case .string(let s)? = indentValue { indent = s } else if let n = indentValue.flatMap(Ops.intValue) {
                indent = String(repeating: " ", count: min(max(0, n), 4096))
            }
            var itemSep: String?
            var keySep = ": "
            if case .array(let seps)? = arg(a, "separators", 2), seps.count == 2 {
                itemSep = try it.str(seps[0])
                keySep = try it.str(seps[1])
            }
            return .string(try it.json(v, indent: indent, sortKeys: arg(a, "sort_keys", 3)?.truthy ?? false,
                                       itemSeparator: itemSep, keySeparator: keySep))
        case "items":
            switch v {
            case .object(let o): return try it.producedList(o.items.map { .array([$0.0, $0.1]) })
            case .namespace(let n): return try it.producedList(n.attrs.pairs.map { .array([.string($0.0), $0.1]) })
            case .undefined: return .array([])
            default: throw it.fail("items filter expects a mapping, got '\(v.typeName)'")
            }
        case "keys":
            guard case .object(let o) = v else { return .array([]) }
            return .array(o.keyValues)
        case "values":
            guard case .object(let o) = v else { return .array([]) }
            return .array(o.pairs.map(\.1))
        case "list": return .array(try it.iterate(v))
        case "reverse":
            if case .string(let s) = v { return try it.string(String(s.reversed())) }
            return .array(try it.iterate(v).reversed())
        case "sort":
            return .array(try sorted(try it.iterate(v), reverse: arg(a, "reverse", 0)?.truthy ?? false,
                                     caseSensitive: arg(a, "case_sensitive", 1)?.truthy ?? false,
                                     attribute: try strArg("attribute", 2), it))
        case "dictsort":
            guard case .object(let o) = v else { throw it.fail("dictsort expects a mapping") }
            let byValue = try strArg("by", 1) == "value"
            let pairs = o.items.map { Value.array([$0.0, $0.1]) }
            return .array(try sorted(pairs, reverse: arg(a, "reverse", 2)?.truthy ?? false,
                                     caseSensitive: arg(a, "case_sensitive", 0)?.truthy ?? false,
                                     attribute: byValue ? "1" : "0", it))
        case "unique":
            var out: [Value] = []
            var keys: [Value] = []
            let attribute = try strArg("attribute", 1)
            let caseSensitive = arg(a, "case_sensitive", 0)?.truthy ?? false
            for item in try it.iterate(v) {
                let key = try sortKey(try attribute.map { try path(item, $0, it) } ?? item, caseSensitive: caseSensitive, it)
                var seen = false
                for k in keys where try Ops.equal(k, key, it) {
                    seen = true
                    break
                }
                if !seen {
                    out.append(item)
                    keys.append(try sortKey(try attribute.map { try path(item, $0, it) } ?? item, caseSensitive: false, it))
                }
            }
            return .array(out)
        case "replace":
            guard let old = try strArg("old", 0), let new = try strArg("new", 1) else {
                throw it.fail("replace filter needs two arguments")
            }
            return .string(try Methods.replace(try it.str(v), old, new, arg(a, "count", 2).flatMap(Ops.intValue) ?? -1, it))
        case "split":
            return .array(try Methods.split(try it.str(v), arg(a, "sep", 0).flatMap { $0.isNone ? nil : $0 }, -1, it)
                .map { .string($0) })
        case "string", "safe", "escape", "e":
            if name == "escape" || name == "e" { return .string(try escape(try it.str(v), it)) }
            return name == "safe" && v.isString ? v : .string(try it.str(v))
        case "int":
            let def = arg(a, "default", 0) ?? .int(0)
            switch v {
            case .int: return v
            case .bool(let b): return .int(b ? 1 : 0)
            case .double(let d): return d.isFinite && abs(d) < 9e18 ? .int(Int(d)) : def
            case .string(let s):
                let t = s.trimmingCharacters(in: .whitespaces)
                if let i = Int(t) { return .int(i) }
                if let d = Double(t), d.isFinite, abs(d) < 9e18 { return .int(Int(d)) }
                return def
            default: return def
            }
        case "float":
            let def = arg(a, "default", 0) ?? .double(0)
            if let d = Ops.doubleValue(v) { return .double(d) }
            if case .string(let s) = v, let d = Double(s.trimmingCharacters(in: .whitespaces)) { return .double(d) }
            return def
        case "bool": return .bool(v.truthy)
        case "abs":
            switch v {
            case .int(let i): return i == Int.min ? .double(-Double(i)) : .int(abs(i))
            case .double(let d): return .double(abs(d))
            case .bool(let b): return .int(b ? 1 : 0)
            default: throw it.fail("bad operand type for abs(): '\(v.typeName)'")
            }
        case "round":
            guard let d = Ops.doubleValue(v) else { throw it.fail("round filter expects a number") }
            let precision = arg(a, "precision", 0).flatMap(Ops.intValue) ?? 0
            let method = try strArg("method", 1) ?? "common"
            let scale = pow(10.0, Double(precision))
            let rule: FloatingPointRoundingRule = method == "ceil" ? .up : method == "floor" ? .down : .toNearestOrEven
            return .double((d * scale).rounded(rule) / scale)
        case "map":
            let items = v.truthy ? try it.iterate(v) : []
            if let attribute = try strArg("attribute", Int.max) {
                let def = arg(a, "default", Int.max)
                return .array(try items.map { item in
                    let r = try path(item, attribute, it)
                    return r.isUndefined ? (def ?? r) : r
                })
            }
            guard case .string(let filterName)? = a.positional.first, known.contains(filterName) else {
                throw it.fail("map filter needs a filter name or attribute=")
            }
            let rest = Interpreter.Args(positional: Array(a.positional.dropFirst()), kwargs: a.kwargs)
            return .array(try items.map { try apply(filterName, $0, rest, it) })
        case "select", "reject", "selectattr", "rejectattr":
            let byAttr = name.hasSuffix("attr")
            var pos = a.positional
            var attribute: String?
            if byAttr {
                guard !pos.isEmpty else { throw it.fail("\(name) needs an attribute name") }
                attribute = try it.str(pos.removeFirst())
            }
            let testName = pos.isEmpty ? nil : try it.str(pos.removeFirst())
            if let testName, !Tests.known.contains(testName) { throw it.fail("unknown test '\(testName)'") }
            let testArgs = Interpreter.Args(positional: pos, kwargs: a.kwargs)
            let keep = name.hasPrefix("select")
            return .array(try (v.truthy ? it.iterate(v) : []).filter { item in
                let subject = try attribute.map { try path(item, $0, it) } ?? item
                let ok = try testName.map { try Tests.apply($0, subject, testArgs, it) } ?? subject.truthy
                return ok == keep
            })
        case "indent":
            let widthValue = arg(a, "width", 0) ?? .int(4)
            let pad: String
            if case .string(let s) = widthValue { pad = s } else { pad = String(repeating: " ", count: min(max(0, Ops.intValue(widthValue) ?? 4), 4096)) }
            return .string(try indent(try it.str(v), pad: pad, first: arg(a, "first", 1)?.truthy ?? false,
                                      blank: arg(a, "blank", 2)?.truthy ?? false, it))
        case "sum":
            let attribute = try strArg("attribute", 0)
            var total = arg(a, "start", 1) ?? .int(0)
            for item in try it.iterate(v) { total = try Ops.binary("+", total, try attribute.map { try path(item, $0, it) } ?? item, it) }
            return total
        case "min", "max":
            let items = try sorted(try it.iterate(v), reverse: false, caseSensitive: arg(a, "case_sensitive", 0)?.truthy ?? false,
                                   attribute: try strArg("attribute", 1), it)
            return (name == "min" ? items.first : items.last) ?? .undefined
        case "wordcount":
            return .int(try it.str(v).split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") }).count)
        case "attr": return try Ops.attribute(v, try strArg("name", 0) ?? "", it)
        case "center":
            let width = arg(a, "width", 0).flatMap(Ops.intValue) ?? 80
            let s = try it.str(v)
            let length = s.count
            guard width > length else { return .string(s) }
            let total = width - length  // positive, no overflow: length >= 0
            try it.reserve(try it.total(s.utf8.count, total))
            let left = total / 2 + (total % 2 == 1 && width % 2 == 1 ? 1 : 0)
            return .string(String(repeating: " ", count: left) + s + String(repeating: " ", count: total - left))
        case "truncate":
            let length = arg(a, "length", 0).flatMap(Ops.intValue) ?? 255
            let end = try strArg("end", 2) ?? "..."
            let s = try it.str(v)
            guard s.count > length else { return .string(s) }
            let keep = length > end.count ? length - end.count : 0
            return try it.string(String(s.prefix(keep)) + end)
        case "batch":
            let size = max(1, arg(a, "linecount", 0).flatMap(Ops.intValue) ?? 1)
            let items = try it.iterate(v)
            var out: [Value] = []
            var i = 0
            while i < items.count {
                let j = items.count - i > size ? i + size : items.count
                out.append(.array(Array(items[i..<j])))
                i = j
            }
            let result = Value.array(out)
            try it.checkNesting(result)
            return result
        default:
            throw it.fail("unknown filter '\(name)'")
        }
    }
}
