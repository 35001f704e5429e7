/// Non-Jinja chat formats, rendered as llama.cpp's src/llama-chat.cpp does (no BOS).
public enum BuiltinTemplate: String, Sendable, CaseIterable {
    case chatml, llama3, gemma

    /// C `isspace` trim, as llama-chat.cpp's `trim`.
    static func trim(_ s: String) -> String {
        func space(_ u: Unicode.Scalar) -> Bool { u == " " || (u.value >= 0x09 && u.value <= 0x0D) }
        var scalars = Substring(s).unicodeScalars[...]
        while let f = scalars.first, space(f) { scalars.removeFirst() }
        while let l = scalars.last, space(l) { scalars.removeLast() }
        return String(String.UnicodeScalarView(scalars))
    }

    public func render(messages: [ChatMessage], addGenerationPrompt: Bool) -> String {
        var out = ""
        switch self {
        case .chatml:
            for m in messages { out += "<|im_start|>\(m.role)\n\(m.content)<|im_end|>\n" }
            if addGenerationPrompt { out += "<|im_start|>assistant\n" }
        case .llama3:
            for m in messages {
                out += "<|start_header_id|>\(m.role)<|end_header_id|>\n\n\(BuiltinTemplate.trim(m.content))<|eot_id|>"
            }
            if addGenerationPrompt { out += "<|start_header_id|>assistant<|end_header_id|>\n\n" }
        case .gemma:
            var system = ""
            for m in messages {
                if m.role == "system" {
                    system += BuiltinTemplate.trim(m.content)
                    continue
                }
                let role = m.role == "assistant" ? "model" : m.role
                out += "<start_of_turn>\(role)\n"
                if !system.isEmpty && role != "model" {
                    out += system + "\n\n"
                    system = ""
                }
                out += BuiltinTemplate.trim(m.content) + "<end_of_turn>\n"
            }
            if addGenerationPrompt { out += "<start_of_turn>model\n" }
        }
        return out
    }

    /// Guesses the format from a Jinja source by substring, following llama.cpp's
    /// `llm_chat_detect_template` order; nil when it would pick a format other than these three.
    public static func detect(_ source: String) -> BuiltinTemplate? {
        func has(_ s: String) -> Bool { source.contains(s) }
        if has("<|im_start|>") {
            return has("<|im_sep|>") || has("<end_of_utterance>") ? nil : .chatml
        }
        if source.hasPrefix("mistral") || has("[INST]") { return nil }
        if has("<|assistant|>") && (has("<|end|>") || has("<|user|>")) { return nil }
        if has("[gMASK]<sop>") { return nil }
        if has("<|{{ item['role'] }}|>") && has("<|begin_of_image|>") { return nil }
        if has("<|user|>") && has("<|endoftext|>") { return nil }
        if has("bos_token + message['role']") { return nil }
        if has("<start_of_turn>") { return .gemma }
        if has("'\\n\\nAssistant: ' + eos_token") || has("GPT4 Correct ") { return nil }
        if has("USER: ") && has("ASSISTANT: ") { return nil }
        if has("### Instruction:") && has("<|EOT|>") { return nil }
        if has("<|START_OF_TURN_TOKEN|>") && has("<|USER_TOKEN|>") { return nil }
        if has("<|start_header_id|>") && has("<|end_header_id|>") { return .llama3 }
        return nil
    }
}
