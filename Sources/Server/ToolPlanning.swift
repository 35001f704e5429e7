import Engine
import OpenAIAPI
import StructuredOutput
import Templates

/// A chat request's tools turned into what the template renders and what decoding enforces.
struct ToolPlanning {
    let plan: ToolCallPlan
    /// The tools as the template sees them (`{"type": "function", "function": {…}}`).
    let templateTools: [TemplateValue]

    /// nil when the request has no tools in effect (none given, or `tool_choice: none`).
    static func plan(_ chat: ChatCompletionRequest, served: ServedModel) throws(APIError) -> ToolPlanning? {
        guard !chat.activeTools.isEmpty else { return nil }
        return try plan(try chat.compiledTools(), choice: chat.toolChoice, parallel: chat.parallelToolCalls, served: served)
    }

    /// The same for checked functions (chat's nested tools or the Responses API's flat ones).
    static func plan(_ compiled: [(function: FunctionDefinition, schema: CompiledSchema)], choice: ToolChoice?, parallel parallelCalls: Bool?,
                     served: ServedModel) throws(APIError) -> ToolPlanning? {
        guard !compiled.isEmpty, choice != ToolChoice.none else { return nil }
        guard let formatter = served.model.chatFormatter else {
            throw APIError.internal("the model's chat template cannot be used: \(served.model.chatTemplateError ?? "unknown")")
        }
        let format = formatter.toolSupport.format
        var mode = ToolCallPlan.Mode.auto
        var callable = compiled
        // A named function is one call, as with OpenAI; otherwise `parallel_tool_calls` (default true).
        var parallel = parallelCalls ?? true
        switch choice {
        case .required?: mode = .required
        case let .function(name)?:
            mode = .required
            parallel = false
            callable = compiled.filter { $0.function.name == name }
        default: break
        }
        var schemas: [CompiledSchema] = []
        for (i, entry) in callable.enumerated() {
            do {
                schemas.append(try ToolCallPlan.callSchema(name: entry.function.name, parameters: entry.function.parametersSchema,
                                                           format: format))
            } catch {
                throw APIError.invalidValue("tools[\(i)].function.parameters", "\(error)")
            }
        }
        let templateTools = compiled.map { entry -> TemplateValue in
            var function: [String: JSONValue] = ["name": .string(entry.function.name), "parameters": entry.function.parametersSchema]
            if let d = entry.function.description { function["description"] = .string(d) }
            return TemplateValue(json: .object(["type": .string("function"), "function": .object(function)]))
        }
        let plan = ToolCallPlan(format: format, mode: mode, parallel: parallel, callSchemas: schemas)
        return ToolPlanning(plan: plan, templateTools: templateTools)
    }
}
