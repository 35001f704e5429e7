/// Range checks that OpenAI performs before generation, so a bad request fails fast with
/// a 400 naming the field, instead of producing odd output or crashing a sampler.
extension ChatCompletionRequest {
    public func validate() throws(APIError) {
        if model.isEmpty { throw .invalidValue("model", "'model' must not be empty.") }
        if messages.isEmpty { throw .invalidValue("messages", "'messages' must contain at least one message.") }
        for (i, message) in messages.enumerated() {
            guard message.knownRole != nil else {
                let roles = ChatMessage.Role.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
                throw .invalidValue("messages[\(i)].role", "Invalid role '\(message.role)'. Supported roles: \(roles).")
            }
            if case .parts(let parts) = message.content {
                for (j, part) in parts.enumerated() where part.type != "text" || part.text == nil {
                    throw .invalidValue("messages[\(i)].content[\(j)].type",
                                        "Content part type '\(part.type)' is not supported; only 'text' parts with a 'text' field are.")
                }
            }
        }
        try Validation.range("temperature", temperature, 0...2)
        if let topP, !(topP > 0 && topP <= 1) {
            throw .invalidValue("top_p", "'top_p' must be greater than 0 and at most 1, got \(topP).")
        }
        try Validation.range("presence_penalty", presencePenalty, -2...2)
        try Validation.range("frequency_penalty", frequencyPenalty, -2...2)
        try Validation.atLeastOne("max_tokens", maxTokens)
        try Validation.atLeastOne("max_completion_tokens", maxCompletionTokens)
        try Validation.singleChoice(n)
        if let topLogprobs {
            guard (0...20).contains(topLogprobs) else {
                throw .invalidValue("top_logprobs", "'top_logprobs' must be between 0 and 20, got \(topLogprobs).")
            }
            guard logprobs == true else {
                throw .invalidValue("top_logprobs", "'logprobs' must be true when 'top_logprobs' is set.")
            }
        }
        for (key, bias) in logitBias ?? [:] {
            guard Int(key) != nil else {
                throw .invalidValue("logit_bias", "'logit_bias' keys must be token ids (integers), got '\(key)'.")
            }
            guard (-100...100).contains(bias) else {
                throw .invalidValue("logit_bias", "'logit_bias' values must be between -100 and 100, got \(bias) for token \(key).")
            }
        }
        if let stop = stop?.values, stop.count > 4 || stop.contains(where: \.isEmpty) {
            throw .invalidValue("stop", "'stop' takes at most 4 non-empty sequences.")
        }
        if let format = responseFormat?.type, ![ResponseFormat.text, ResponseFormat.jsonObject, ResponseFormat.jsonSchema].contains(format) {
            throw .invalidValue("response_format.type", "response_format type '\(format)' is not supported; use 'text', 'json_object' or 'json_schema'.")
        }
        _ = try responseSchema()
        try validateTools()
        if streamOptions != nil, !isStreaming {
            throw .invalidValue("stream_options", "'stream_options' is only allowed when 'stream' is true.")
        }
    }
}

/// Shared checks for chat and completion requests.
enum Validation {
    static func range(_ param: String, _ value: Double?, _ bounds: ClosedRange<Double>) throws(APIError) {
        if let value, !bounds.contains(value) {
            throw .invalidValue(param, "'\(param)' must be between \(format(bounds.lowerBound)) and \(format(bounds.upperBound)), got \(format(value)).")
        }
    }

    static func atLeastOne(_ param: String, _ value: Int?) throws(APIError) {
        if let value, value < 1 {
            throw .invalidValue(param, "'\(param)' must be at least 1, got \(value).")
        }
    }

    /// Aqyl generates one choice per request; asking for more is a clear 400, not a silent 1.
    static func singleChoice(_ n: Int?) throws(APIError) {
        if let n, n != 1 {
            throw .invalidValue("n", "Only n=1 is supported, got n=\(n). Send \(n) separate requests instead.")
        }
    }

    /// `2` rather than `2.0` in messages, as people write it.
    static func format(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)
    }
}

extension JSONSchemaFormat {
    /// Checks the name and compiles the schema; errors name the offending keyword.
    static func compile(_ format: JSONSchemaFormat?, param: String) throws(APIError) -> CompiledSchema {
        guard let format else {
            throw .invalidValue(param, "'\(param)' is required when response_format.type is 'json_schema'.")
        }
        let name = format.name
        guard !name.isEmpty, name.utf8.count <= 64,
              name.unicodeScalars.allSatisfy({ ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "_" || $0 == "-" }) else {
            throw .invalidValue(param + ".name", "'\(param).name' must be 1 to 64 letters, digits, '_' or '-'.")
        }
        guard let schema = format.schema else {
            throw .invalidValue(param + ".schema", "'\(param).schema' is required.")
        }
        do {
            return try CompiledSchema.compile(schema)
        } catch {
            throw .invalidValue(param + ".schema" + (error.keyword.map { "." + $0 } ?? ""), "\(error)")
        }
    }
}

extension ChatCompletionRequest {
    /// Tools, tool choice and the tool turns of the history.
    func validateTools() throws(APIError) {
        let compiled = try compiledTools()
        try FunctionTools.checkChoice(toolChoice, names: compiled.map(\.function.name))
        if !activeTools.isEmpty, let format = responseFormat?.type, format != ResponseFormat.text {
            throw .invalidValue("response_format", "'response_format' \(format) together with 'tools' is not supported yet; use one or the other.")
        }
        var calls = Set<String>()
        for (i, message) in messages.enumerated() {
            if let toolCalls = message.toolCalls {
                guard message.role == "assistant" else {
                    throw .invalidValue("messages[\(i)].tool_calls", "Only assistant messages carry 'tool_calls'.")
                }
                for (j, call) in toolCalls.enumerated() {
                    guard !call.id.isEmpty, Self.isFunctionName(call.function.name) else {
                        throw .invalidValue("messages[\(i)].tool_calls[\(j)]", "A tool call needs an 'id' and a function 'name' of 1 to 64 letters, digits, '_' or '-'.")
                    }
                    calls.insert(call.id)
                }
            }
            if message.role == "tool" {
                guard let id = message.toolCallId, !id.isEmpty else {
                    throw .invalidValue("messages[\(i)].tool_call_id", "A 'tool' message needs the 'tool_call_id' it answers.")
                }
                guard calls.contains(id) else {
                    throw .invalidValue("messages[\(i)].tool_call_id", "'tool_call_id' '\(id.prefix(80))' answers no earlier assistant tool call.")
                }
            }
        }
    }
}
