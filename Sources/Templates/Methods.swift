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

    /// Python str.split(sep=None, maxsplit=-1), at most `maxListItems` parts.
    static func split(_ s: String, _ sep: Value?, _ maxsplit: Int, _ it: Interpreter) throws -> [String] {
        var parts: [String] = []
        func add(_ part: String) throws {
            guard parts.count < it.limits.maxListItems else { throw it.listLimitError }
            parts.append(part)
        }
        try it.tick(s.utf8.count >> 8)
        if case .string(let sepStr)? = sep {
            guard !sepStr.isEmpty else { throw it.fail("empty separator") }
            try ByteSearch.split(s, sepStr, maxSplit: maxsplit, add)
            try it.reserveList(parts.count)
            return parts
        }
        var rest = Substring(s).drop(while: isPyWhitespace)
        while !rest.isEmpty {
            if maxsplit >= 0 && parts.count >= maxsplit {
                var tail = rest
                while let last = tail.last, isPyWhitespace(last) { tail = tail.dropLast() }
                try add(String(tail))
                break
            }
            let word = rest.prefix(while: { !isPyWhitespace($0) })
            try add(String(word))
            rest = rest[word.endIndex...].drop(while: isPyWhitespace)
        }
        try it.reserveList(parts.count)
        return parts
    }

    /// `sep.join(items)`: the size is checked before the string is built.
    static func join(_ items: [Value], separator sep: String, _ it: Interpreter) throws -> String {
        let strings = try items.map { try it.str($0) }
        var size = 0
        for (k, s) in strings.enumerated() {
            size = try it.total(size, s.utf8.count)
            if k > 0 { size = try it.total(size, sep.utf8.count) }
            guard size <= it.limits.maxStringBytes else { throw it.stringLimitError }
        }
        try it.reserve(size)
        var out = ""
        out.reserveCapacity(size)
        for (k, s) in strings.enumerated() {
            if k > 0 { out += sep }
            out += s
        }
        return out
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

    /// Python str.replace (at most `count` replacements when count >= 0). The exact result size is
    /// computed from the occurrences and checked before the string is built. An empty `old` leaves
    /// the string unchanged.
    static func replace(_ s: String, _ old: String, _ new: String, _ count: Int, _ it: Interpreter) throws -> String {
        guard !old.isEmpty, count != 0 else { return try it.produced(s) }
        try it.tick(s.utf8.count >> 8)
        let limit = count < 0 ? Int.max : count
        let n = ByteSearch.count(s, old, limit: limit)
        guard n > 0 else { return try it.produced(s) }
        // size = len(s) + n * (len(new) - len(old)), overflow-checked.
        let (grow, o1) = (new.utf8.count - old.utf8.count).multipliedReportingOverflow(by: n)
        if o1 { throw it.stringLimitError }
        let (size, o2) = s.utf8.count.addingReportingOverflow(grow)
        if o2 { throw it.stringLimitError }
        try it.reserve(size)
        var hay = s, target = old, replacement = new
        return hay.withUTF8 { h in
            target.withUTF8 { o in
                replacement.withUTF8 { r in
                    String(unsafeUninitializedCapacity: size) { out in
                        var w = 0, last = 0
                        func copy(_ from: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
                            guard !range.isEmpty else { return }
                            UnsafeMutableRawPointer(out.baseAddress! + w)
                                .copyMemory(from: from.baseAddress! + range.lowerBound, byteCount: range.count)
                            w += range.count
                        }
                        _ = ByteSearch.scan(h, o, limit: n) { at in
                            copy(h, last..<at)
                            copy(r, 0..<r.count)
                            last = at + o.count
                            return true
                        }
                        copy(h, last..<h.count)
                        return w
                    }
                }
            }
        }
    }

    private static func prefixes(_ v: Value) -> [String] {
        switch v {
        case .string(let s): return [s]
        case .array(let a): return a.compactMap { if case .string(let s) = $0 { return s }; return nil }
        default: return []
        }
    }

    /// Python str.format with positional (`{}`, `{0}`) and keyword (`{name}`) fields, no format specs;
    /// the result is checked against the string limit as it grows.
    static func format(_ s: String, _ args: Interpreter.Args, _ it: Interpreter) throws -> String {
        let a = args.positional
        var out = ""
        func add<S: StringProtocol>(_ piece: S) throws {
            guard try it.total(out.utf8.count, piece.utf8.count) <= it.limits.maxStringBytes else { throw it.stringLimitError }
            out += piece
        }
        var auto = 0
        var rest = Substring(s)
        while let open = rest.firstIndex(of: "{") {
            try add(rest[..<open])
            if rest[open...].hasPrefix("{{") { try add("{"); rest = rest[rest.index(open, offsetBy: 2)...]; continue }
            guard let close = rest[open...].firstIndex(of: "}") else { break }
            let field = String(rest[rest.index(after: open)..<close])
            if field.isEmpty {
                try add(try it.str(auto < a.count ? a[auto] : Value.undefined))
                auto += 1
            } else if let i = Int(field) {
                try add(try it.str(i >= 0 && i < a.count ? a[i] : Value.undefined))
            } else {
                try add(try it.str(args.kwargs.first(where: { $0.0 == field })?.1 ?? Value.undefined))
            }
            rest = rest[rest.index(after: close)...]
        }
        try add(rest.replacingOccurrences(of: "}}", with: "}"))
        return try it.produced(out)
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
            case "strip": return try it.string(strip(s, kw("chars", 0), left: true, right: true))
            case "lstrip": return try it.string(strip(s, kw("chars", 0), left: true, right: false))
            case "rstrip": return try it.string(strip(s, kw("chars", 0), left: false, right: true))
            case "upper": return try it.string(s.uppercased())
            case "lower": return try it.string(s.lowercased())
            case "title": return try it.string(title(s))
            case "capitalize": return try it.string(capitalize(s))
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
                return .string(try replace(s, old, new, kw("count", 2).flatMap(Ops.intValue) ?? -1, it))
            case "find":
                guard case .string(let sub)? = kw("sub", 0) else { throw it.fail("find() needs a string") }
                try it.tick(s.utf8.count >> 8)
                guard let offset = ByteSearch.first(s, sub) else { return .int(-1) }
                return .int(s.distance(from: s.startIndex, to: s.utf8.index(s.utf8.startIndex, offsetBy: offset)))
            case "count":
                guard case .string(let sub)? = kw("sub", 0) else { throw it.fail("count() needs a string") }
                try it.tick(s.utf8.count >> 8)
                return .int(sub.isEmpty ? s.count + 1 : ByteSearch.count(s, sub))
            case "join":
                return .string(try join(try it.iterate(kw("iterable", 0) ?? .array([])), separator: s, it))
            case "format":
                return .string(try format(s, args, it))
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
                for (i, y) in arr.enumerated() where try Ops.equal(y, x, it) { return .int(i) }
                throw it.fail("value is not in list")
            case "count":
                let x = kw("value", 0) ?? .none
                return .int(try arr.filter { try Ops.equal($0, x, it) }.count)
            default: return nil
            }
        default:
            return nil
        }
    }
}
