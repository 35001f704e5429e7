import Foundation

/// Python methods on strings, dicts and lists (`s.strip()`, `d.get(k)`, `l.append(x)`...).
enum Methods {
    static func isPyWhitespace(_ c: Character) -> Bool { c.isWhitespace }

    static func strip(_ s: String, _ chars: Value?, left: Bool, right: Bool) -> String {
        let set: ((Character) -> Bool)
        if case .string(let cs)? = chars {
            let allowed = Set(cs)
            set = { allowed.contains($0) }
        } else {
            set = isPyWhitespace
        }
        var sub = Substring(s)
        if left { sub = sub.drop(while: set) }
        if right {
            while let last = sub.last, set(last) { sub = sub.dropLast() }
        }
        return String(sub)
    }

    /// Python str.split(sep=None, maxsplit=-1).
    static func split(_ s: String, _ sep: Value?, _ maxsplit: Int, _ it: Interpreter) throws -> [String] {
        if case .string(let sepStr)? = sep {
            guard !sepStr.isEmpty else { throw it.fail("empty separator") }
            var parts: [String] = []
            var rest = Substring(s)
            while maxsplit < 0 || parts.count < maxsplit, let r = rest.range(of: sepStr) {
                parts.append(String(rest[..<r.lowerBound]))
                rest = rest[r.upperBound...]
            }
            parts.append(String(rest))
            return parts
        }
        var parts: [String] = []
        var rest = Substring(s).drop(while: isPyWhitespace)
        while !rest.isEmpty {
            if maxsplit >= 0 && parts.count >= maxsplit {
                var tail = rest
                while let last = tail.last, isPyWhitespace(last) { tail = tail.dropLast() }
                parts.append(String(tail))
                break
            }
            let word = rest.prefix(while: { !isPyWhitespace($0) })
            parts.append(String(word))
            rest = rest[word.endIndex...].drop(while: isPyWhitespace)
        }
        return parts
    }

    /// Python str.title(): uppercase the first letter of each run of letters.
    static func title(_ s: String) -> String {
        var out = ""
        var prevLetter = false
        for c in s {
            out += prevLetter ? c.lowercased() : c.uppercased()
            prevLetter = c.isLetter
        }
        return out
    }

    static func capitalize(_ s: String) -> String {
        guard let f = s.first else { return s }
        return f.uppercased() + s.dropFirst().lowercased()
    }

    static func replace(_ s: String, _ old: String, _ new: String, _ count: Int) -> String {
        if count < 0 { return s.replacingOccurrences(of: old, with: new) }
        var out = ""
        var rest = Substring(s)
        var n = 0
        while n < count, !old.isEmpty, let r = rest.range(of: old) {
            out += rest[..<r.lowerBound] + new
            rest = rest[r.upperBound...]
            n += 1
        }
        return out + rest
    }

    private static func prefixes(_ v: Value) -> [String] {
        switch v {
        case .string(let s): return [s]
        case .array(let a): return a.compactMap { if case .string(let s) = $0 { return s }; return nil }
        default: return []
        }
    }

    /// Returns nil when `name` is not a method of `obj`'s type.
    static func call(_ obj: Value, _ name: String, _ args: Interpreter.Args, _ it: Interpreter) throws -> Value? {
        let a = args.positional
        func kw(_ k: String, _ pos: Int) -> Value? {
            pos < a.count ? a[pos] : args.kwargs.first(where: { $0.0 == k })?.1
        }
        switch obj {
        case .string(let s):
            switch name {
            case "strip": return .string(strip(s, kw("chars", 0), left: true, right: true))
            case "lstrip": return .string(strip(s, kw("chars", 0), left: true, right: false))
            case "rstrip": return .string(strip(s, kw("chars", 0), left: false, right: true))
            case "upper": return .string(s.uppercased())
            case "lower": return .string(s.lowercased())
            case "title": return .string(title(s))
            case "capitalize": return .string(capitalize(s))
            case "split":
                let sep = kw("sep", 0).flatMap { $0.isNone ? nil : $0 }
                let maxsplit = kw("maxsplit", 1).flatMap(Ops.intValue) ?? -1
                return .array(try split(s, sep, maxsplit, it).map { .string($0) })
            case "startswith": return .bool(prefixes(kw("prefix", 0) ?? .none).contains { s.hasPrefix($0) })
            case "endswith": return .bool(prefixes(kw("suffix", 0) ?? .none).contains { s.hasSuffix($0) })
            case "replace":
                guard case .string(let old)? = kw("old", 0), case .string(let new)? = kw("new", 1) else {
                    throw it.fail("replace() needs two strings")
                }
                return .string(replace(s, old, new, kw("count", 2).flatMap(Ops.intValue) ?? -1))
            case "find":
                guard case .string(let sub)? = kw("sub", 0) else { throw it.fail("find() needs a string") }
                guard let r = s.range(of: sub) else { return .int(-1) }
                return .int(s.distance(from: s.startIndex, to: r.lowerBound))
            case "count":
                guard case .string(let sub)? = kw("sub", 0) else { throw it.fail("count() needs a string") }
                return .int(sub.isEmpty ? s.count + 1 : s.components(separatedBy: sub).count - 1)
            case "join":
                return .string(try it.iterate(kw("iterable", 0) ?? .array([])).map(\.str).joined(separator: s))
            case "format":
                var out = ""
                var auto = 0
                var rest = Substring(s)
                while let open = rest.firstIndex(of: "{") {
                    out += rest[..<open]
                    if rest[open...].hasPrefix("{{") { out += "{"; rest = rest[rest.index(open, offsetBy: 2)...]; continue }
                    guard let close = rest[open...].firstIndex(of: "}") else { break }
                    let field = String(rest[rest.index(after: open)..<close])
                    if field.isEmpty {
                        out += (auto < a.count ? a[auto] : Value.undefined).str
                        auto += 1
                    } else if let i = Int(field) {
                        out += (i < a.count ? a[i] : Value.undefined).str
                    } else {
                        out += (args.kwargs.first(where: { $0.0 == field })?.1 ?? Value.undefined).str
                    }
                    rest = rest[rest.index(after: close)...]
                }
                return .string(out + rest.replacingOccurrences(of: "}}", with: "}"))
            case "isdigit": return .bool(!s.isEmpty && s.allSatisfy(\.isNumber))
            case "isalpha": return .bool(!s.isEmpty && s.allSatisfy(\.isLetter))
            case "isspace": return .bool(!s.isEmpty && s.allSatisfy(\.isWhitespace))
            default: return nil
            }
        case .object(let o):
            switch name {
            case "get": return DictKey(kw("key", 0) ?? Value.none).flatMap { o[$0] } ?? kw("default", 1) ?? Value.none
            case "items": return .array(o.items.map { .array([$0.0, $0.1]) })
            case "keys": return .array(o.keyValues)
            case "values": return .array(o.pairs.map(\.1))
            default: return nil
            }
        case .array(let arr):
            switch name {
            case "append": return Value.none  // the interpreter updates the variable
            case "index":
                let x = kw("value", 0) ?? .none
                guard let i = arr.firstIndex(where: { Ops.equal($0, x) }) else { throw it.fail("value is not in list") }
                return .int(i)
            case "count":
                let x = kw("value", 0) ?? .none
                return .int(arr.filter { Ops.equal($0, x) }.count)
            default: return nil
            }
        default:
            return nil
        }
    }
}
