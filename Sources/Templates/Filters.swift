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
    static func path(_ v: Value, _ attribute: String) -> Value {
        var cur = v
        for part in attribute.split(separator: ".") {
            if let i = Int(part), case .array = cur { cur = Ops.item(cur, .int(i)) } else { cur = Ops.attribute(cur, String(part)) }
        }
        return cur
    }

    private static func sortKey(_ v: Value, caseSensitive: Bool) -> Value {
        if !caseSensitive, case .string(let s) = v { return .string(s.lowercased()) }
        return v
    }

    static func sorted(_ items: [Value], reverse: Bool, caseSensitive: Bool, attribute: String?, _ it: Interpreter) throws -> [Value] {
        let keyed = items.map { item -> (Value, Value) in
            (sortKey(attribute.map { path(item, $0) } ?? item, caseSensitive: caseSensitive), item)
        }
        var err: Error?
        let r = keyed.enumerated().sorted { x, y in
            do {
                if try Ops.less(x.element.0, y.element.0, it) { return !reverse }
                if try Ops.less(y.element.0, x.element.0, it) { return reverse }
            } catch { err = error }
            return x.offset < y.offset  // stable
        }
        if let err { throw err }
        return r.map(\.element.1)
    }

    static func apply(_ name: String, _ v: Value, _ a: Interpreter.Args, _ it: Interpreter) throws -> Value {
        switch name {
        case "trim", "strip":
            return .string(Methods.strip(v.str, arg(a, "chars", 0), left: true, right: true))
        case "lower": return .string(v.str.lowercased())
        case "upper": return .string(v.str.uppercased())
        case "capitalize": return .string(Methods.capitalize(v.str))
        case "title": return .string(Methods.title(v.str))
        case "length", "count":
            switch v {
            case .string(let s): return .int(s.count)
            case .array(let x): return .int(x.count)
            case .object(let o): return .int(o.count)
            case .namespace(let n): return .int(n.attrs.count)
            case .undefined: return .int(0)
            default: throw it.fail("object of type '\(v.typeName)' has no len()")
            }
        case "first": return try it.iterate(v).first ?? .undefined
        case "last":
            if case .string(let s) = v { return s.last.map { .string(String($0)) } ?? .undefined }
            return try it.iterate(v).last ?? .undefined
        case "join":
            let sep = arg(a, "d", 0)?.str ?? ""
            let attribute = arg(a, "attribute", 1)
            let items = try it.iterate(v).map { item in attribute.map { path(item, $0.str) } ?? item }
            return .string(items.map(\.str).joined(separator: sep))
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
                itemSep = seps[0].str
                keySep = seps[1].str
            }
            var out = ""
            JSONWriter.write(v, indent: indent, sortKeys: arg(a, "sort_keys", 3)?.truthy ?? false, level: 0,
                             into: &out, itemSeparator: itemSep, keySeparator: keySep)
            return .string(out)
        case "items":
            switch v {
            case .object(let o): return .array(o.items.map { .array([$0.0, $0.1]) })
            case .namespace(let n): return .array(n.attrs.pairs.map { .array([.string($0.0), $0.1]) })
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
            if case .string(let s) = v { return .string(String(s.reversed())) }
            return .array(try it.iterate(v).reversed())
        case "sort":
            return .array(try sorted(try it.iterate(v), reverse: arg(a, "reverse", 0)?.truthy ?? false,
                                     caseSensitive: arg(a, "case_sensitive", 1)?.truthy ?? false,
                                     attribute: arg(a, "attribute", 2)?.str, it))
        case "dictsort":
            guard case .object(let o) = v else { throw it.fail("dictsort expects a mapping") }
            let byValue = arg(a, "by", 1)?.str == "value"
            let pairs = o.items.map { Value.array([$0.0, $0.1]) }
            return .array(try sorted(pairs, reverse: arg(a, "reverse", 2)?.truthy ?? false,
                                     caseSensitive: arg(a, "case_sensitive", 0)?.truthy ?? false,
                                     attribute: byValue ? "1" : "0", it))
        case "unique":
            var out: [Value] = []
            let attribute = arg(a, "attribute", 1)?.str
            for item in try it.iterate(v) {
                let key = sortKey(attribute.map { path(item, $0) } ?? item, caseSensitive: arg(a, "case_sensitive", 0)?.truthy ?? false)
                let seen = out.contains { prev in
                    Ops.equal(sortKey(attribute.map { path(prev, $0) } ?? prev, caseSensitive: false), key)
                }
                if !seen {
                    out.append(item)
                }
            }
            return .array(out)
        case "replace":
            guard let old = arg(a, "old", 0)?.str, let new = arg(a, "new", 1)?.str else {
                throw it.fail("replace filter needs two arguments")
            }
            return .string(Methods.replace(v.str, old, new, arg(a, "count", 2).flatMap(Ops.intValue) ?? -1))
        case "split":
            return .array(try Methods.split(v.str, arg(a, "sep", 0).flatMap { $0.isNone ? nil : $0 }, -1, it).map { .string($0) })
        case "string", "safe", "escape", "e":
            if name == "escape" || name == "e" {
                return .string(v.str.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                    .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&#34;")
                    .replacingOccurrences(of: "'", with: "&#39;"))
            }
            return name == "safe" && v.isString ? v : .string(v.str)
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
            let method = arg(a, "method", 1)?.str ?? "common"
            let scale = pow(10.0, Double(precision))
            let rule: FloatingPointRoundingRule = method == "ceil" ? .up : method == "floor" ? .down : .toNearestOrEven
            return .double((d * scale).rounded(rule) / scale)
        case "map":
            let items = v.truthy ? try it.iterate(v) : []
            if let attribute = arg(a, "attribute", Int.max)?.str {
                let def = arg(a, "default", Int.max)
                return .array(items.map { item in
                    let r = path(item, attribute)
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
                attribute = pos.removeFirst().str
            }
            let testName = pos.isEmpty ? nil : pos.removeFirst().str
            if let testName, !Tests.known.contains(testName) { throw it.fail("unknown test '\(testName)'") }
            let testArgs = Interpreter.Args(positional: pos, kwargs: a.kwargs)
            let keep = name.hasPrefix("select")
            return .array(try (v.truthy ? it.iterate(v) : []).filter { item in
                let subject = attribute.map { path(item, $0) } ?? item
                let ok = try testName.map { try Tests.apply($0, subject, testArgs, it) } ?? subject.truthy
                return ok == keep
            })
        case "indent":
            let widthValue = arg(a, "width", 0) ?? .int(4)
            let pad: String
            if case .string(let s) = widthValue { pad = s } else { pad = String(repeating: " ", count: min(max(0, Ops.intValue(widthValue) ?? 4), 4096)) }
            let first = arg(a, "first", 1)?.truthy ?? false
            let blank = arg(a, "blank", 2)?.truthy ?? false
            var lines = (v.str + "\n").components(separatedBy: "\n")
            lines.removeLast()
            var out = lines.first ?? ""
            if lines.count > 1 {
                out += "\n" + lines.dropFirst().map { blank || !$0.isEmpty ? pad + $0 : $0 }.joined(separator: "\n")
            }
            return .string(first ? pad + out : out)
        case "sum":
            let attribute = arg(a, "attribute", 0)?.str
            var total = arg(a, "start", 1) ?? .int(0)
            for item in try it.iterate(v) { total = try Ops.binary("+", total, attribute.map { path(item, $0) } ?? item, it) }
            return total
        case "min", "max":
            let items = try sorted(try it.iterate(v), reverse: false, caseSensitive: arg(a, "case_sensitive", 0)?.truthy ?? false,
                                   attribute: arg(a, "attribute", 1)?.str, it)
            return (name == "min" ? items.first : items.last) ?? .undefined
        case "wordcount":
            return .int(v.str.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") }).count)
        case "attr": return Ops.attribute(v, arg(a, "name", 0)?.str ?? "")
        case "center":
            let width = min(arg(a, "width", 0).flatMap(Ops.intValue) ?? 80, it.limits.maxOutputBytes)
            let s = v.str
            let total = max(0, width - s.count)
            let left = total / 2 + (total % 2 == 1 && width % 2 == 1 ? 1 : 0)
            return .string(String(repeating: " ", count: left) + s + String(repeating: " ", count: total - left))
        case "truncate":
            let length = arg(a, "length", 0).flatMap(Ops.intValue) ?? 255
            let end = arg(a, "end", 2)?.str ?? "..."
            let s = v.str
            return .string(s.count <= length ? s : String(s.prefix(max(0, length - end.count))) + end)
        case "batch":
            let size = max(1, arg(a, "linecount", 0).flatMap(Ops.intValue) ?? 1)
            let items = try it.iterate(v)
            return .array(stride(from: 0, to: items.count, by: size).map { .array(Array(items[$0..<min($0 + size, items.count)])) })
        default:
            throw it.fail("unknown filter '\(name)'")
        }
    }
}
