import StructuredOutput
import Templates

/// How a model writes a tool call, by chat-template family.
public enum ToolCallFormat: String, Sendable, Equatable {
    /// Qwen2.5, Hermes and most others: `<tool_call>\n{"name": …, "arguments": {…}}\n</tool_call>`,
    /// one block per call.
    case hermes
    /// Llama-3.1/3.2/3.3: the whole answer is `{"name": …, "parameters": {…}}`
    /// (optionally after `<|python_tag|>`), one call.
    case llama3

    /// The key holding the arguments object.
    public var argumentsKey: String { self == .llama3 ? "parameters" : "arguments" }

    /// The family a template's source points at.
    static func detect(templateSource: String) -> ToolCallFormat {
        if templateSource.contains("<tool_call>") { return .hermes }
        if templateSource.contains("<|python_tag|>") || templateSource.contains("\"parameters\": dictionary of argument name") {
            return .llama3
        }
        return .hermes
    }
}

/// What the request's tools ask of decoding: which calls may be made, whether one must be.
public struct ToolCallPlan: Sendable, Hashable {
    public enum Mode: Sendable, Hashable {
        /// The model may answer in text or call tools (calls are constrained once begun).
        case auto
        /// The answer is tool calls only (`required`, or a named function).
        case required
    }

    public let format: ToolCallFormat
    public let mode: Mode
    /// More than one call per answer (`parallel_tool_calls`, default true); llama3 makes one.
    public let parallel: Bool
    /// One schema per callable tool for the whole call object (`name` const + arguments).
    public let callSchemas: [CompiledSchema]

    public init(format: ToolCallFormat, mode: Mode, parallel: Bool, callSchemas: [CompiledSchema]) {
        self.format = format
        self.mode = mode
        self.parallel = parallel && format == .hermes
        self.callSchemas = callSchemas
    }

    /// The call object's schema for a tool: `{"name": const NAME, ARGS_KEY: parameters}`,
    /// with the parameters' `$defs` lifted to the root so their `$ref`s still resolve.
    public static func callSchema(name: String, parameters: JSONValue, format: ToolCallFormat) throws(SchemaError) -> CompiledSchema {
        var params = parameters
        var root: [String: JSONValue] = [:]
        if case var .object(p) = parameters {
            for key in ["$defs", "definitions"] {
                if let defs = p.removeValue(forKey: key) { root[key] = defs }
            }
            params = .object(p)
        }
        root["type"] = .string("object")
        root["properties"] = .object(["name": .object(["const": .string(name)]), format.argumentsKey: params])
        root["required"] = .array([.string("name"), .string(format.argumentsKey)])
        root["additionalProperties"] = .bool(false)
        return try CompiledSchema.compile(.object(root))
    }
}

extension TemplateValue {
    /// A JSON value as a template value (object key order: sorted, since JSONValue keeps none).
    public init(json: JSONValue) {
        switch json {
        case .null: self = .none
        case let .bool(b): self = .bool(b)
        case let .number(d): self = d == d.rounded() && abs(d) < 9e15 ? .int(Int(d)) : .double(d)
        case let .string(s): self = .string(s)
        case let .array(a): self = .array(a.map(TemplateValue.init(json:)))
        case let .object(o): self = .object(TemplateObject(o.keys.sorted().map { ($0, TemplateValue(json: o[$0]!)) }))
        }
    }
}
