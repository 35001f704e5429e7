import Foundation

/// Minimal JSON reader that keeps object key order.
struct JSONReader {
    private let s: [UInt8]
    private var i = 0
    private var depth = 0

    static func parse(_ text: String) throws -> TemplateValue {
        var r = JSONReader(s: Array(text.utf8))
        r.skipSpace()
        let v = try r.value()
        r.skipSpace()
        guard r.i == r.s.count else { throw r.error("trailing characters") }
        return v
    }

    private init(s: [UInt8]) { self.s = s }

    private func error(_ m: String) -> TemplateError { .runtime("invalid JSON at byte \(i): \(m)", nil) }

    private mutating func skipSpace() {
        while i < s.count, s[i] == 0x20 || s[i] == 0x0A || s[i] == 0x0D || s[i] == 0x09 { i += 1 }
    }

    private mutating func literal(_ word: String, _ v: TemplateValue) throws -> TemplateValue {
        let w = Array(word.utf8)
        guard i + w.count <= s.count, Array(s[i..<i + w.count]) == w else { throw error("bad literal") }
        i += w.count
        return v
    }

    private mutating func value() throws -> TemplateValue {
        guard i < s.count else { throw error("unexpected end") }
        depth += 1
        defer { depth -= 1 }
        guard depth < 512 else { throw error("nested too deeply") }
        switch s[i] {
        case UInt8(ascii: "{"):
            i += 1
            var obj = TemplateObject()
            skipSpace()
            if i < s.count, s[i] == UInt8(ascii: "}") { i += 1; return .object(obj) }
            while true {
                skipSpace()
                guard i < s.count, s[i] == UInt8(ascii: "\"") else { throw error("expected key") }
                let k = try string()
                skipSpace()
                guard i < s.count, s[i] == UInt8(ascii: ":") else { throw error("expected ':'") }
                i += 1
                skipSpace()
                obj[k] = try value()
                skipSpace()
                guard i < s.count else { throw error("unexpected end") }
                if s[i] == UInt8(ascii: ",") { i += 1; continue }
                if s[i] == UInt8(ascii: "}") { i += 1; return .object(obj) }
                throw error("expected ',' or '}'")
            }
        case UInt8(ascii: "["):
            i += 1
            var arr: [TemplateValue] = []
            skipSpace()
            if i < s.count, s[i] == UInt8(ascii: "]") { i += 1; return .array(arr) }
            while true {
                skipSpace()
                arr.append(try value())
                skipSpace()
                guard i < s.count else { throw error("unexpected end") }
                if s[i] == UInt8(ascii: ",") { i += 1; continue }
                if s[i] == UInt8(ascii: "]") { i += 1; return .array(arr) }
                throw error("expected ',' or ']'")
            }
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .none)
        default: return try number()
        }
    }

    private mutating func number() throws -> TemplateValue {
        let start = i
        var isFloat = false
        while i < s.count {
            let c = s[i]
            if c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") { isFloat = true }
            guard (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: "-") || c == UInt8(ascii: "+") || c == UInt8(ascii: ".")
                || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") else { break }
            i += 1
        }
        let text = String(decoding: s[start..<i], as: UTF8.self)
        if !isFloat, let v = Int(text) { return .int(v) }
        guard !text.isEmpty, let d = Double(text) else { throw error("bad number") }
        return .double(d)
    }

    private mutating func hex4() throws -> UInt32 {
        guard i + 4 <= s.count, let v = UInt32(String(decoding: s[i..<i + 4], as: UTF8.self), radix: 16) else {
            throw error("bad \\u escape")
        }
        i += 4
        return v
    }

    private mutating func string() throws -> String {
        i += 1
        var bytes: [UInt8] = []
        while i < s.count {
            let c = s[i]
            i += 1
            if c == UInt8(ascii: "\"") { return String(decoding: bytes, as: UTF8.self) }
            if c != UInt8(ascii: "\\") { bytes.append(c); continue }
            guard i < s.count else { break }
            let e = s[i]
            i += 1
            switch e {
            case UInt8(ascii: "n"): bytes.append(0x0A)
            case UInt8(ascii: "t"): bytes.append(0x09)
            case UInt8(ascii: "r"): bytes.append(0x0D)
            case UInt8(ascii: "b"): bytes.append(0x08)
            case UInt8(ascii: "f"): bytes.append(0x0C)
            case UInt8(ascii: "u"):
                var v = try hex4()
                if v >= 0xD800, v < 0xDC00, i + 6 <= s.count, s[i] == UInt8(ascii: "\\"), s[i + 1] == UInt8(ascii: "u") {
                    i += 2
                    let lo = try hex4()
                    v = 0x10000 + ((v - 0xD800) << 10) + (lo &- 0xDC00 & 0x3FF)
                }
                bytes.append(contentsOf: Array(String(Unicode.Scalar(v).map(Character.init) ?? "\u{FFFD}").utf8))
            default: bytes.append(e)
            }
        }
        throw error("unterminated string")
    }
}

/// Writes values the way Python's json.dumps(ensure_ascii=False) does.
enum JSONWriter {
    static func quote(_ s: String, into out: inout String) {
        out += "\""
        var copy = s
        if copy.withUTF8({ !$0.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") } }) {
            out += s  // nothing to escape
            out += "\""
            return
        }
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{8}": out += "\\b"
            case "\u{C}": out += "\\f"
            default:
                if u.value < 0x20 {
                    out += String(format: "\\u%04x", u.value)
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
    }

    /// Writes `v` as JSON. `check(bytes, level)` is called before and after every value with the
    /// output size so far (and the prospective size before a string) and the nesting level; the
    /// interpreter uses it to enforce its limits, trusted callers pass a no-op.
    static func write(_ v: Value, indent: String?, sortKeys: Bool, level: Int, into out: inout String,
                      itemSeparator: String? = nil, keySeparator: String = ": ",
                      check: (_ bytes: Int, _ level: Int) throws -> Void) rethrows {
        let itemSep = itemSeparator ?? (indent == nil ? ", " : ",")
        func newline(_ lvl: Int) {
            if let indent {
                out += "\n"
                for _ in 0..<lvl { out += indent }
            }
        }
        /// Output size after `extra` more bytes, saturating.
        func after(_ extra: Int) -> Int {
            let (r, o) = out.utf8.count.addingReportingOverflow(extra)
            return o ? Int.max : r
        }
        /// Size of a newline at `lvl`, saturating.
        func newlineSize(_ lvl: Int) -> Int {
            guard let indent else { return 0 }
            let (r, o) = indent.utf8.count.multipliedReportingOverflow(by: lvl)
            return o || r == Int.max ? Int.max : r + 1
        }
        try check(out.utf8.count, level)
        switch v {
        case .string(let s):
            try check(after(s.utf8.count), level)
            quote(s, into: &out)
        case .int(let i): out += String(i)
        case .double(let d):
            if d.isNaN { out += "NaN" } else if d.isInfinite { out += d < 0 ? "-Infinity" : "Infinity" } else {
                out += Value.formatDouble(d)
            }
        case .bool(let b): out += b ? "true" : "false"
        case .none, .undefined, .callable: out += "null"
        case .array(let a):
            if a.isEmpty { out += "[]"; return }
            out += "["
            for (k, item) in a.enumerated() {
                if k > 0 { out += itemSep }
                try check(after(newlineSize(level + 1)), level + 1)
                newline(level + 1)
                try write(item, indent: indent, sortKeys: sortKeys, level: level + 1, into: &out,
                          itemSeparator: itemSeparator, keySeparator: keySeparator, check: check)
            }
            newline(level)
            out += "]"
        case .object, .namespace:
            var pairs: [(String, Value)]
            if case .namespace(let n) = v { pairs = n.attrs.pairs } else if case .object(let o) = v { pairs = o.pairs } else { pairs = [] }
            if sortKeys { pairs.sort { $0.0 < $1.0 } }
            if pairs.isEmpty { out += "{}"; return }
            out += "{"
            for (k, (key, item)) in pairs.enumerated() {
                if k > 0 { out += itemSep }
                try check(after(newlineSize(level + 1)), level + 1)
                newline(level + 1)
                try check(after(key.utf8.count), level + 1)
                quote(key, into: &out)
                out += keySeparator
                try write(item, indent: indent, sortKeys: sortKeys, level: level + 1, into: &out,
                          itemSeparator: itemSeparator, keySeparator: keySeparator, check: check)
            }
            newline(level)
            out += "}"
        }
        try check(out.utf8.count, level)
    }
}
