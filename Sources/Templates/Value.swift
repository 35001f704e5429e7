import Foundation

/// An insertion-ordered string-keyed dictionary (like a Python dict) of template values.
public struct TemplateObject: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    public private(set) var keys: [String] = []
    private var storage: [String: TemplateValue] = [:]

    public init() {}
    public init(_ pairs: [(String, TemplateValue)]) {
        for (k, v) in pairs { self[k] = v }
    }
    public init(dictionaryLiteral elements: (String, TemplateValue)...) { self.init(elements) }

    public subscript(key: String) -> TemplateValue? {
        get { storage[key] }
        set {
            if let newValue {
                if storage.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if storage.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }
    /// Key/value pairs in insertion order.
    public var pairs: [(String, TemplateValue)] { keys.compactMap { k in storage[k].map { (k, $0) } } }

    /// Order-insensitive, like Python dict equality.
    public static func == (a: TemplateObject, b: TemplateObject) -> Bool { a.storage == b.storage }
}

/// A value passed into (or produced by) a template.
public indirect enum TemplateValue: Sendable, Equatable {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case array([TemplateValue])
    case object(TemplateObject)
    case none
    case undefined
}

extension TemplateValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: TemplateValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, TemplateValue)...) { self = .object(TemplateObject(elements)) }
    public init(nilLiteral: ()) { self = .none }
}

extension TemplateValue {
    /// Parses JSON text keeping object key order (needed so `tojson` reproduces it).
    public init(json: String) throws {
        self = try JSONReader.parse(json)
    }

    /// JSON text as Python's `json.dumps(value, ensure_ascii=False, indent=indent)` writes it.
    public func jsonString(indent: Int? = nil, sortKeys: Bool = false) -> String {
        var out = ""
        JSONWriter.write(Templates.Value(self), indent: indent.map { String(repeating: " ", count: max(0, $0)) }, sortKeys: sortKeys, level: 0,
                         into: &out) { _, _ in }
        return out
    }
}

// MARK: - Runtime values

/// Mutable attribute holder created by `namespace(...)`; reference semantics like Jinja's.
final class Namespace {
    var attrs = Dict()
    init(_ attrs: Dict) { self.attrs = attrs }
}

/// A callable value (builtin function or macro).
final class Callable {
    let name: String
    let body: (_ args: [Value], _ kwargs: [(String, Value)]) throws -> Value
    init(_ name: String, _ body: @escaping ([Value], [(String, Value)]) throws -> Value) {
        self.name = name
        self.body = body
    }
}

/// A dict key: Python dict literals may use integers as keys (`{4096: 512}`).
enum DictKey: Hashable {
    case string(String)
    case int(Int)

    init?(_ v: Value) {
        switch v {
        case .string(let s): self = .string(s)
        case .int(let i): self = .int(i)
        case .bool(let b): self = .int(b ? 1 : 0)
        default: return nil
        }
    }
    var string: String {
        switch self {
        case .string(let s): return s
        case .int(let i): return String(i)
        }
    }
    var value: Value {
        switch self {
        case .string(let s): return .string(s)
        case .int(let i): return .int(i)
        }
    }
}

extension Array {
    /// Identity of the array's storage (shared by copies until one is modified), for memoizing
    /// walks over values that share sublists.
    var bufferIdentity: UnsafeRawPointer? {
        isEmpty ? nil : withUnsafeBufferPointer { $0.baseAddress.map { UnsafeRawPointer($0) } }
    }
}

/// Insertion-ordered dictionary of runtime values.
struct Dict {
    private(set) var order: [DictKey] = []
    private var storage: [DictKey: Value] = [:]
    init() {}
    init(_ pairs: [(String, Value)]) { for (k, v) in pairs { self[k] = v } }
    subscript(key: String) -> Value? {
        get { storage[.string(key)] }
        set { self[.string(key)] = newValue }
    }
    subscript(key: DictKey) -> Value? {
        get { storage[key] }
        set {
            if let newValue {
                if storage.updateValue(newValue, forKey: key) == nil { order.append(key) }
            } else if storage.removeValue(forKey: key) != nil {
                order.removeAll { $0 == key }
            }
        }
    }
    var count: Int { order.count }
    /// Keys as strings (JSON, TemplateValue conversion).
    var keys: [String] { order.map(\.string) }
    /// Keys as values (iteration, items).
    var keyValues: [Value] { order.map(\.value) }
    var pairs: [(String, Value)] { order.compactMap { k in storage[k].map { (k.string, $0) } } }
    var items: [(Value, Value)] { order.compactMap { k in storage[k].map { (k.value, $0) } } }
}

/// The interpreter's value type: TemplateValue plus namespaces and callables.
indirect enum Value {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case array([Value])
    case object(Dict)
    case none
    case undefined
    case namespace(Namespace)
    case callable(Callable)

    init(_ v: TemplateValue) {
        switch v {
        case .string(let s): self = .string(s)
        case .int(let i): self = .int(i)
        case .double(let d): self = .double(d)
        case .bool(let b): self = .bool(b)
        case .array(let a): self = .array(a.map(Value.init))
        case .object(let o): self = .object(Dict(o.pairs.map { ($0.0, Value($0.1)) }))
        case .none: self = .none
        case .undefined: self = .undefined
        }
    }

    var templateValue: TemplateValue {
        switch self {
        case .string(let s): return .string(s)
        case .int(let i): return .int(i)
        case .double(let d): return .double(d)
        case .bool(let b): return .bool(b)
        case .array(let a): return .array(a.map(\.templateValue))
        case .object(let o): return .object(TemplateObject(o.pairs.map { ($0.0, $0.1.templateValue) }))
        case .namespace(let n): return .object(TemplateObject(n.attrs.pairs.map { ($0.0, $0.1.templateValue) }))
        case .none, .callable: return .none
        case .undefined: return .undefined
        }
    }

    var isUndefined: Bool { if case .undefined = self { return true }; return false }
    var isNone: Bool { if case .none = self { return true }; return false }

    /// Python truthiness.
    var truthy: Bool {
        switch self {
        case .string(let s): return !s.isEmpty
        case .int(let i): return i != 0
        case .double(let d): return d != 0
        case .bool(let b): return b
        case .array(let a): return !a.isEmpty
        case .object(let o): return o.count > 0
        case .none, .undefined: return false
        case .namespace, .callable: return true
        }
    }

    var typeName: String {
        switch self {
        case .string: return "str"
        case .int: return "int"
        case .double: return "float"
        case .bool: return "bool"
        case .array: return "list"
        case .object: return "dict"
        case .none: return "NoneType"
        case .undefined: return "Undefined"
        case .namespace: return "Namespace"
        case .callable: return "function"
        }
    }

    var isContainer: Bool {
        switch self {
        case .array, .object: return true
        default: return false
        }
    }

    /// Python `repr` of a value that is not a container (containers: `Interpreter.repr`,
    /// which prints them under the render's limits).
    var scalarRepr: String {
        switch self {
        case .string(let s):
            var out = ""
            Value.pyRepr(s, into: &out)
            return out
        case .int(let i): return String(i)
        case .double(let d): return Value.formatDouble(d)
        case .bool(let b): return b ? "True" : "False"
        case .none: return "None"
        case .undefined: return ""
        case .array: return "[...]"
        case .object: return "{...}"
        case .namespace: return "<Namespace>"
        case .callable(let c): return "<function \(c.name)>"
        }
    }

    /// The quote Python's `repr(s)` uses and the size in bytes of the result.
    static func pyReprLayout(_ s: String) -> (quote: Character, size: Int) {
        var copy = s
        return copy.withUTF8 { buf in
            var singles = 0, doubles = 0, extra = 0
            for b in buf {
                switch b {
                case UInt8(ascii: "'"): singles += 1
                case UInt8(ascii: "\""): doubles += 1
                case UInt8(ascii: "\\"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): extra += 1
                case 0..<0x20, 0x7F: extra += 3
                default: break
                }
            }
            let quote: Character = singles > 0 && doubles == 0 ? "\"" : "'"
            return (quote, buf.count + 2 + extra + (quote == "'" ? singles : doubles))
        }
    }

    /// Appends Python's `repr(s)` of a string.
    static func pyRepr(_ s: String, layout: (quote: Character, size: Int)? = nil, into out: inout String) {
        let (quote, size) = layout ?? pyReprLayout(s)
        out.append(quote)
        if size == s.utf8.count + 2 {
            out += s  // nothing to escape
        } else {
            for u in s.unicodeScalars {
                switch u {
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                default:
                    if Character(u) == quote {
                        out += "\\" + String(quote)
                    } else if u.value < 0x20 || u.value == 0x7F {
                        out += "\\x" + (u.value < 0x10 ? "0" : "") + String(u.value, radix: 16)
                    } else {
                        out.unicodeScalars.append(u)
                    }
                }
            }
        }
        out.append(quote)
    }

    /// Python float repr: shortest round-trip digits, `.0` for integral values, exponent outside [1e-4, 1e16).
    static func formatDouble(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        var s = "\(d)"  // Swift: shortest round-trip, e.g. "1e-05", "1e+16", "21.5", "100.0"
        if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            var mant = String(s[..<e])
            var exp = String(s[s.index(after: e)...])
            if mant.hasSuffix(".0") { mant.removeLast(2) }
            var sign = "+"
            if exp.hasPrefix("-") { sign = "-"; exp.removeFirst() } else if exp.hasPrefix("+") { exp.removeFirst() }
            while exp.count < 2 { exp = "0" + exp }
            s = mant + "e" + sign + exp
        }
        return s
    }
}
