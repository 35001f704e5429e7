import Foundation

/// `tools[i]`: `{"type": "function", "function": {"name", "description", "parameters", "strict"}}`.
public struct Tool: Codable, Sendable, Equatable {
    public var type: String
    public var function: FunctionDefinition

    public init(function: FunctionDefinition) {
        type = "function"
        self.function = function
    }
}

public struct FunctionDefinition: Codable, Sendable, Equatable {
    public var name: String
    public var description: String?
    /// A JSON Schema for the arguments object; absent means no arguments.
    public var parameters: JSONValue?
    public var strict: Bool?

    public init(name: String, description: String? = nil, parameters: JSONValue? = nil, strict: Bool? = nil) {
        self.name = name
        self.description = description
        self.parameters = parameters
        self.strict = strict
    }

    /// The arguments schema, `{"type":"object","properties":{}}` when absent.
    public var parametersSchema: JSONValue {
        parameters ?? .object(["type": .string("object"), "properties": .object([:])])
    }
}

/// `tool_choice`: `"none"`, `"auto"`, `"required"`, or `{"type": "function", "function": {"name": …}}`.
public enum ToolChoice: Codable, Sendable, Equatable {
    case none, auto, required
    case function(String)

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self) {
            switch s {
            case "none": self = .none
            case "auto": self = .auto
            case "required": self = .required
            default:
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "tool_choice must be 'none', 'auto', 'required' or {\"type\":\"function\",\"function\":{\"name\":…}}, got '\(s)'")
            }
            return
        }
        // Chat nests the name (`{"type":"function","function":{"name":…}}`); the Responses API does not.
        struct Named: Decodable { struct F: Decodable { var name: String }; var type: String; var function: F?; var name: String? }
        let named = try c.decode(Named.self)
        guard named.type == "function", let name = named.function?.name ?? named.name else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "tool_choice must be {\"type\":\"function\",\"function\":{\"name\":…}}")
        }
        self = .function(name)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .none: try c.encode("none")
        case .auto: try c.encode("auto")
        case .required: try c.encode("required")
        case let .function(name): try c.encode(["type": JSONValue.string("function"), "function": .object(["name": .string(name)])])
        }
    }
}

/// An assistant's call in a message or a response: `{"id", "type": "function", "function": {"name", "arguments"}}`,
/// `arguments` being a JSON text.
public struct ToolCall: Codable, Sendable, Equatable {
    public struct Function: Codable, Sendable, Equatable {
        public var name: String
        public var arguments: String

        public init(name: String, arguments: String) {
            self.name = name
            self.arguments = arguments
        }
    }

    public var id: String
    public var type: String
    public var function: Function

    public init(id: String, name: String, arguments: String) {
        self.id = id
        type = "function"
        function = Function(name: name, arguments: arguments)
    }
}

/// A streamed piece of a tool call: the first for a call carries `id`, `type` and the
/// name; later ones append to `arguments`.
public struct ToolCallDelta: Codable, Sendable, Equatable {
    public struct Function: Codable, Sendable, Equatable {
        public var name: String?
        public var arguments: String?

        public init(name: String? = nil, arguments: String? = nil) {
            self.name = name
            self.arguments = arguments
        }
    }

    public var index: Int
    public var id: String?
    public var type: String?
    public var function: Function

    public init(index: Int, id: String? = nil, name: String? = nil, arguments: String? = nil) {
        self.index = index
        self.id = id
        type = id == nil ? nil : "function"
        function = Function(name: name, arguments: arguments)
    }
}

/// Functions checked for a request: names and schemas valid, no duplicates.
public enum FunctionTools {
    /// Function names: 1–64 of `[A-Za-z0-9_-]`, as OpenAI requires.
    public static func isFunctionName(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.count <= 64 && s.utf8.allSatisfy {
            ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F || $0 == 0x2D
        }
    }

    /// Each function's arguments schema compiled; `param(i)` names tool i's field (`tools[i].function`).
    public static func compile(_ functions: [FunctionDefinition], types: [String], param: (Int) -> String)
        throws(APIError) -> [(function: FunctionDefinition, schema: CompiledSchema)] {
        var out: [(FunctionDefinition, CompiledSchema)] = []
        var seen = Set<String>()
        for (i, function) in functions.enumerated() {
            guard types[i] == "function" else {
                throw .invalidValue("tools[\(i)].type", "Tool type '\(types[i])' is not supported; only 'function' is.")
            }
            let name = function.name
            guard isFunctionName(name) else {
                throw .invalidValue(param(i) + ".name", "Function names must be 1 to 64 letters, digits, '_' or '-', got '\(name.prefix(80))'.")
            }
            guard seen.insert(name).inserted else {
                throw .invalidValue(param(i) + ".name", "Two tools are named '\(name)'.")
            }
            let schema: CompiledSchema
            do {
                schema = try CompiledSchema.compile(function.parametersSchema)
            } catch {
                throw .invalidValue(param(i) + ".parameters" + (error.keyword.map { "." + $0 } ?? ""), "\(error)")
            }
            out.append((function, schema))
        }
        return out
    }

    /// `tool_choice` against the tools: a forced choice needs tools, a named one an existing function.
    public static func checkChoice(_ choice: ToolChoice?, names: [String]) throws(APIError) {
        switch choice {
        case .required?, .function?:
            guard !names.isEmpty else { throw .invalidValue("tool_choice", "'tool_choice' needs 'tools'.") }
            if case let .function(name)? = choice, !names.contains(name) {
                throw .invalidValue("tool_choice", "'tool_choice' names '\(name)', which is not among 'tools'.")
            }
        default: break
        }
    }
}

extension ChatCompletionRequest {
    static func isFunctionName(_ s: String) -> Bool { FunctionTools.isFunctionName(s) }

    /// The tools in effect: none when `tool_choice` is `none` or no tools were given.
    public var activeTools: [Tool] {
        guard let tools, !tools.isEmpty, toolChoice != ToolChoice.none else { return [] }
        return tools
    }

    /// Each tool's compiled arguments schema; names and schemas checked.
    public func compiledTools() throws(APIError) -> [(function: FunctionDefinition, schema: CompiledSchema)] {
        let tools = tools ?? []
        return try FunctionTools.compile(tools.map(\.function), types: tools.map(\.type)) { "tools[\($0)].function" }
    }
}
