import Testing
import Templates

struct BuiltinTemplateTests {
    let msgs = [ChatMessage(role: "system", content: " Be nice. "), ChatMessage(role: "user", content: " Hi\n"),
                ChatMessage(role: "assistant", content: "Hello"), ChatMessage(role: "user", content: "Сәлем")]

    @Test func chatml() {
        #expect(BuiltinTemplate.chatml.render(messages: msgs, addGenerationPrompt: true) ==
            "<|im_start|>system\n Be nice. <|im_end|>\n<|im_start|>user\n Hi\n<|im_end|>\n<|im_start|>assistant\nHello<|im_end|>\n"
            + "<|im_start|>user\nСәлем<|im_end|>\n<|im_start|>assistant\n")
    }

    @Test func llama3() {
        #expect(BuiltinTemplate.llama3.render(messages: msgs, addGenerationPrompt: false) ==
            "<|start_header_id|>system<|end_header_id|>\n\nBe nice.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\nHello<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nСәлем<|eot_id|>")
        #expect(BuiltinTemplate.llama3.render(messages: [], addGenerationPrompt: true) == "<|start_header_id|>assistant<|end_header_id|>\n\n")
    }

    @Test func gemma() {
        #expect(BuiltinTemplate.gemma.render(messages: msgs, addGenerationPrompt: true) ==
            "<start_of_turn>user\nBe nice.\n\nHi<end_of_turn>\n<start_of_turn>model\nHello<end_of_turn>\n"
            + "<start_of_turn>user\nСәлем<end_of_turn>\n<start_of_turn>model\n")
    }

    @Test func detect() throws {
        #expect(BuiltinTemplate.detect("{{ '<|im_start|>' + role }}") == .chatml)
        #expect(BuiltinTemplate.detect("<|im_start|><|im_sep|>") == nil)
        #expect(BuiltinTemplate.detect("<start_of_turn>user") == .gemma)
        #expect(BuiltinTemplate.detect("<|start_header_id|>x<|end_header_id|>") == .llama3)
        #expect(BuiltinTemplate.detect("[INST] hi") == nil)
        #expect(BuiltinTemplate.detect("plain") == nil)
        #expect(BuiltinTemplate.detect(try Fixtures.template("smollm2.jinja")) == .chatml)
        #expect(BuiltinTemplate.detect(try Fixtures.template("gemma3.jinja")) == .gemma)
        #expect(BuiltinTemplate.detect(try Fixtures.template("meta-llama-Llama-3.1-8B-Instruct.jinja")) == .llama3)
        #expect(BuiltinTemplate.detect(try Fixtures.template("Qwen-Qwen2.5-7B-Instruct.jinja")) == .chatml)
    }
}
