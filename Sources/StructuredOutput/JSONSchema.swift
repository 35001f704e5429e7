import Foundation

/// A JSON Schema compiled for constrained decoding: a graph of nodes that
/// ``SchemaMatcher`` walks byte by byte. Only keywords whose meaning the matcher can
/// guarantee while generating are accepted; every other one is refused by name
/// (``SchemaError/unsupportedKeyword(_:path:)``), so an output never silently ignores
/// part of a schema.
///
/// Supported: `type` (one or a list of null, boolean, object, array, string, number,
/// integer), `properties`, `required`, `additionalProperties` (false, true or a schema),
/// `items`, `minItems`, `maxItems`, `minLength`, `maxLength`, `enum`, `const`, `anyOf`,
/// `$ref` to `#`, `#/$defs/…` or `#/definitions/…` (recursion allowed), `$defs`,
/// `definitions`. Ignored annotations: `title`, `description`, `default`, `examples`,
/// `$schema`, `$id`, `$comment`, `deprecated`, `readOnly`, `writeOnly`.
public struct CompiledSchema: Sendable, Hashable {
    public let nodes: [SchemaNode]
    public let root: Int

    public static let maxNodes = 4096
    public static let maxDepth = 64
    public static let maxEnumValues = 1024
    public static let maxProperties = 256
    public static let maxCount = 100_000

    /// Compiles `schema` (the value of `json_schema.schema`).
    public static func compile(_ schema: JSONValue) throws(SchemaError) -> CompiledSchema {
        var compiler = SchemaCompiler(root: schema)
        let root = try compiler.compileRoot()
        return CompiledSchema(nodes: compiler.nodes, root: root)
    }
}

/// One node of a compiled schema.
public enum SchemaNode: Sendable, Hashable {
    /// One of these exact texts (canonical JSON of each `enum` / `const` value).
    case enumeration([[UInt8]])
    case anyOf([Int])
    /// Another node (a `$ref`), resolved at compile time; may point back up (recursion).
    case reference(Int)
    case typed(TypedSchema)
    /// Placeholder while a `$ref` target compiles; never left in a finished schema.
    case pending
}

/// The JSON types a node admits.
public struct JSONTypes: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let null = JSONTypes(rawValue: 1)
    public static let boolean = JSONTypes(rawValue: 2)
    public static let object = JSONTypes(rawValue: 4)
    public static let array = JSONTypes(rawValue: 8)
    public static let string = JSONTypes(rawValue: 16)
    public static let number = JSONTypes(rawValue: 32)
    public static let integer = JSONTypes(rawValue: 64)
    public static let all: JSONTypes = [.null, .boolean, .object, .array, .string, .number, .integer]

    static let names: [(String, JSONTypes)] = [
        ("null", .null), ("boolean", .boolean), ("object", .object), ("array", .array),
        ("string", .string), ("number", .number), ("integer", .integer),
    ]
}

/// A schema that admits values by type, with the per-type constraints.
public struct TypedSchema: Sendable, Hashable {
    public struct Property: Sendable, Hashable {
        public let name: String
        /// The name as it appears between the quotes in JSON (escaped).
        public let escaped: [UInt8]
        public let node: Int
    }

    public var types: JSONTypes
    public var properties: [Property] = []
    /// Escaped names of the required properties.
    public var required: Set<[UInt8]> = []
    /// The schema of keys not in `properties`; nil: only declared keys are generated.
    public var additional: Int?
    /// The items' schema; nil: any value.
    public var items: Int?
    public var minItems = 0
    public var maxItems: Int?
    public var minLength = 0
    public var maxLength: Int?
}

/// Why a schema was refused; `path` is a JSON pointer into the schema.
public enum SchemaError: Error, Equatable, Sendable, CustomStringConvertible {
    case unsupportedKeyword(String, path: String)
    case invalid(String, path: String)
    case tooLarge(String)

    /// The keyword at fault, for the API's `param`.
    public var keyword: String? {
        if case let .unsupportedKeyword(k, _) = self { return k }
        return nil
    }

    public var description: String {
        switch self {
        case let .unsupportedKeyword(keyword, path):
            return "JSON Schema keyword '\(keyword)' (at \(path.isEmpty ? "#" : "#" + path)) is not supported for constrained output; supported: type, properties, required, additionalProperties, items, minItems, maxItems, minLength, maxLength, enum, const, anyOf, $ref, $defs"
        case let .invalid(reason, path):
            return "invalid JSON Schema at \(path.isEmpty ? "#" : "#" + path): \(reason)"
        case let .tooLarge(reason):
            return "JSON Schema too large: \(reason)"
        }
    }
}

struct SchemaCompiler {
    let root: JSONValue
    var nodes: [SchemaNode] = []
    /// `$ref` target → node, so each definition compiles once and recursion terminates.
    var refs: [String: Int] = [:]

    static let supported: Set<String> = [
        "type", "properties", "required", "additionalProperties", "items", "minItems", "maxItems",
        "minLength", "maxLength", "enum", "const", "anyOf", "$ref", "$defs", "definitions",
    ]
    static let annotations: Set<String> = [
        "title", "description", "default", "examples", "$schema", "$id", "$comment", "deprecated", "readOnly", "writeOnly",
    ]

    init(root: JSONValue) { self.root = root }

    mutating func compileRoot() throws(SchemaError) -> Int {
        let index = try allocate()
        refs["#"] = index
        let compiled = try compile(root, path: "", depth: 0)
        nodes[index] = .reference(compiled)
        return index
    }

    mutating func allocate() throws(SchemaError) -> Int {
        guard nodes.count < CompiledSchema.maxNodes else { throw .tooLarge("more than \(CompiledSchema.maxNodes) schema nodes") }
        nodes.append(.pending)
        return nodes.count - 1
    }

    mutating func add(_ node: SchemaNode) throws(SchemaError) -> Int {
        let i = try allocate()
        nodes[i] = node
        return i
    }

    mutating func compile(_ value: JSONValue, path: String, depth: Int) throws(SchemaError) -> Int {
        guard depth < CompiledSchema.maxDepth else { throw .tooLarge("nested deeper than \(CompiledSchema.maxDepth) levels") }
        if case .bool(true) = value { return try add(.typed(Self.anyValue(self_: nodes.count))) }
        if case .bool(false) = value { throw .invalid("the schema 'false' admits nothing", path: path) }
        guard case let .object(schema) = value else { throw .invalid("a schema must be an object or a boolean", path: path) }
        for key in schema.keys.sorted() where !Self.supported.contains(key) && !Self.annotations.contains(key) {
            throw .unsupportedKeyword(key, path: path)
        }
        let constraints = Set(schema.keys).subtracting(Self.annotations).subtracting(["$defs", "definitions"])

        if let ref = schema["$ref"] {
            guard constraints == ["$ref"] else {
                throw .invalid("'$ref' next to other constraints (\(constraints.subtracting(["$ref"]).sorted().joined(separator: ", "))) is not supported; put them in the referenced schema", path: path)
            }
            guard case let .string(target) = ref else { throw .invalid("'$ref' must be a string", path: path + "/$ref") }
            return try add(.reference(try resolve(target, path: path, depth: depth)))
        }
        if let options = schema["anyOf"] {
            guard constraints == ["anyOf"] else {
                throw .invalid("'anyOf' next to other constraints (\(constraints.subtracting(["anyOf"]).sorted().joined(separator: ", "))) is not supported; move them into each alternative", path: path)
            }
            guard case let .array(list) = options, !list.isEmpty, list.count <= 64 else {
                throw .invalid("'anyOf' must be a list of 1 to 64 schemas", path: path + "/anyOf")
            }
            var ids: [Int] = []
            for (i, option) in list.enumerated() { ids.append(try compile(option, path: path + "/anyOf/\(i)", depth: depth + 1)) }
            return try add(.anyOf(ids))
        }
        let types = try Self.types(schema, path: path)
        if let constant = schema["const"] {
            guard schema["enum"] == nil else { throw .invalid("both 'enum' and 'const'", path: path) }
            return try add(.enumeration([Array(constant.canonicalText.utf8)]))
        }
        if let values = schema["enum"] {
            guard case let .array(list) = values, !list.isEmpty, list.count <= CompiledSchema.maxEnumValues else {
                throw .invalid("'enum' must be a list of 1 to \(CompiledSchema.maxEnumValues) values", path: path + "/enum")
            }
            var texts: [[UInt8]] = []
            for v in list where types.map({ Self.admits($0, v) }) ?? true {
                let text = Array(v.canonicalText.utf8)
                if !texts.contains(text) { texts.append(text) }
            }
            guard !texts.isEmpty else { throw .invalid("no 'enum' value has the schema's 'type'", path: path) }
            return try add(.enumeration(texts))
        }

        // A typed node; without `type`, the keywords present say which type is meant.
        var inferred = types ?? []
        if types == nil {
            if ["properties", "required", "additionalProperties"].contains(where: { schema[$0] != nil }) { inferred.insert(.object) }
            if ["items", "minItems", "maxItems"].contains(where: { schema[$0] != nil }) { inferred.insert(.array) }
            if ["minLength", "maxLength"].contains(where: { schema[$0] != nil }) { inferred.insert(.string) }
            if inferred.isEmpty { inferred = .all }
        }
        let index = try allocate()
        var typed = TypedSchema(types: inferred)
        typed.minItems = try Self.count(schema, "minItems", path: path) ?? 0
        typed.maxItems = try Self.count(schema, "maxItems", path: path)
        typed.minLength = try Self.count(schema, "minLength", path: path) ?? 0
        typed.maxLength = try Self.count(schema, "maxLength", path: path)
        if let max = typed.maxItems, max < typed.minItems { throw .invalid("maxItems < minItems", path: path) }
        if let max = typed.maxLength, max < typed.minLength { throw .invalid("maxLength < minLength", path: path) }

        if inferred.contains(.object) {
            var declared: [String: JSONValue] = [:]
            if let props = schema["properties"] {
                guard case let .object(p) = props else { throw .invalid("'properties' must be an object", path: path + "/properties") }
                guard p.count <= CompiledSchema.maxProperties else { throw .tooLarge("more than \(CompiledSchema.maxProperties) properties") }
                declared = p
            }
            for name in declared.keys.sorted() {
                let node = try compile(declared[name]!, path: path + "/properties/" + Self.escapePointer(name), depth: depth + 1)
                typed.properties.append(.init(name: name, escaped: Self.escapedName(name), node: node))
            }
            var additionalAllowed = true
            if let extra = schema["additionalProperties"] {
                switch extra {
                case .bool(false): additionalAllowed = false
                case .bool(true): break
                case .object: typed.additional = try compile(extra, path: path + "/additionalProperties", depth: depth + 1)
                default: throw .invalid("'additionalProperties' must be a boolean or a schema", path: path + "/additionalProperties")
                }
            }
            // Extra keys are generated only when nothing is declared: declared keys alone
            // always satisfy an open schema.
            if typed.additional == nil, additionalAllowed, declared.isEmpty { typed.additional = index }
            if let req = schema["required"] {
                guard case let .array(names) = req else { throw .invalid("'required' must be a list of names", path: path + "/required") }
                for n in names {
                    guard case let .string(name) = n else { throw .invalid("'required' must be a list of names", path: path + "/required") }
                    if declared[name] == nil {
                        guard additionalAllowed else {
                            throw .invalid("required property '\(name)' is not in 'properties' and additionalProperties is false", path: path + "/required")
                        }
                        let any = try add(.typed(Self.anyValue(self_: nodes.count)))
                        typed.properties.append(.init(name: name, escaped: Self.escapedName(name), node: any))
                    }
                    typed.required.insert(Self.escapedName(name))
                }
            }
        }
        if inferred.contains(.array), let items = schema["items"] {
            if case .array = items { throw .unsupportedKeyword("items (as a list; tuple validation)", path: path) }
            typed.items = try compile(items, path: path + "/items", depth: depth + 1)
        }
        if inferred.contains(.array), typed.items == nil { typed.items = index }
        nodes[index] = .typed(typed)
        return index
    }

    /// `#`, `#/$defs/NAME` or `#/definitions/NAME`.
    mutating func resolve(_ target: String, path: String, depth: Int) throws(SchemaError) -> Int {
        if let known = refs[target] { return known }
        let parts = target.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, parts[0] == "#", parts[1] == "$defs" || parts[1] == "definitions" else {
            throw .invalid("'$ref' '\(target.prefix(100))' is not supported; use '#', '#/$defs/NAME' or '#/definitions/NAME'", path: path + "/$ref")
        }
        let name = Self.unescapePointer(parts[2])
        guard let defs = root[parts[1]]?.objectValue, let definition = defs[name] else {
            throw .invalid("'$ref' '\(target.prefix(100))' points at nothing", path: path + "/$ref")
        }
        let index = try allocate()
        refs[target] = index
        nodes[index] = .reference(try compile(definition, path: "/\(parts[1])/\(parts[2])", depth: depth + 1))
        return index
    }

    static func types(_ schema: [String: JSONValue], path: String) throws(SchemaError) -> JSONTypes? {
        guard let t = schema["type"] else { return nil }
        let names: [JSONValue]
        switch t {
        case .string: names = [t]
        case let .array(list) where !list.isEmpty: names = list
        default: throw .invalid("'type' must be a type name or a list of them", path: path + "/type")
        }
        var out: JSONTypes = []
        for n in names {
            guard case let .string(name) = n, let type = JSONTypes.names.first(where: { $0.0 == name })?.1 else {
                throw .invalid("unknown type \(n.canonicalText.prefix(40))", path: path + "/type")
            }
            out.insert(type)
        }
        return out
    }

    static func admits(_ types: JSONTypes, _ v: JSONValue) -> Bool {
        switch v {
        case .null: return types.contains(.null)
        case .bool: return types.contains(.boolean)
        case let .number(d): return types.contains(.number) || (types.contains(.integer) && d == d.rounded())
        case .string: return types.contains(.string)
        case .array: return types.contains(.array)
        case .object: return types.contains(.object)
        }
    }

    static func count(_ schema: [String: JSONValue], _ key: String, path: String) throws(SchemaError) -> Int? {
        guard let v = schema[key] else { return nil }
        guard case let .number(d) = v, d >= 0, d == d.rounded(), d <= Double(CompiledSchema.maxCount) else {
            throw .invalid("'\(key)' must be an integer from 0 to \(CompiledSchema.maxCount)", path: path + "/" + key)
        }
        return Int(d)
    }

    /// Any JSON value: every type, any keys, any items (`self_` is the node's own index).
    static func anyValue(self_: Int) -> TypedSchema {
        var t = TypedSchema(types: .all)
        t.additional = self_
        t.items = self_
        return t
    }

    static func escapedName(_ name: String) -> [UInt8] { Array(JSONValue.quoted(name).utf8.dropFirst().dropLast()) }
    static func escapePointer(_ s: String) -> String {
        s.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }
    static func unescapePointer(_ s: String) -> String {
        s.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
    }
}
