import Foundation
import StructuredOutput
import Templates
import Testing
@testable import Engine

@Suite struct ToolCallConstraintTests {
    static let weather: JSONValue = .object([
        "type": .string("object"),
        "properties": .object(["city": .object(["type": .string("string")]), "unit": .object(["enum": .array([.string("c"), .string("f")])])]),
        "required": .array([.string("city"), .string("unit")]),
        "additionalProperties": .bool(false),
    ])

    func plan(_ format: ToolCallFormat, _ mode: ToolCallPlan.Mode, parallel: Bool = true) throws -> ToolCallPlan {
        ToolCallPlan(format: format, mode: mode, parallel: parallel,
                     callSchemas: [try ToolCallPlan.callSchema(name: "get_weather", parameters: Self.weather, format: format)])
    }

    func run(_ plan: ToolCallPlan, _ text: String) -> ToolCallConstraint? {
        var c = ToolCallConstraint(plan)
        return c.append(Array(text.utf8)) ? c : nil
    }

    @Test func hermesAutoIsFreeUntilTheTagThenConstrained() throws {
        let p = try plan(.hermes, .auto)
        #expect(run(p, "Just text, no call.")?.canEnd == true)
        let call = #"Let me check.<tool_call>"# + "\n" + #"{"name": "get_weather", "arguments": {"city": "Almaty", "unit": "c"}}"# + "\n</tool_call>"
        let done = try #require(run(p, call))
        #expect(done.canEnd && done.calls == 1)
        #expect(run(p, "<tool_call>\n{\"name\": \"other\"") == nil)             // unknown function
        #expect(run(p, "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"unit\": \"k\"") == nil)  // not in enum
        let open = try #require(run(p, "<tool_call>\n{\"name\": \"get_weather\""))
        #expect(!open.canEnd && open.insideCall)                                 // no end inside a call
        // A second call may follow a first with parallel calls, and nothing else may.
        #expect(run(p, call + "\n<tool_call>\n{\"name\": \"get_weather\"") != nil)
        #expect(run(p, call + " trailing text") == nil)
    }

    @Test func hermesRequiredStartsWithTheCallAndStopsWithoutParallel() throws {
        #expect(run(try plan(.hermes, .required), "Sure") == nil)
        let one = "<tool_call>\n{\"name\":\"get_weather\",\"arguments\":{\"city\":\"A\",\"unit\":\"f\"}}\n</tool_call>"
        let single = try #require(run(try plan(.hermes, .required, parallel: false), one))
        #expect(single.isComplete)
    }

    @Test func llama3CallsOpenTheAnswer() throws {
        let p = try plan(.llama3, .auto)
        #expect(run(p, "Hello there")?.canEnd == true)
        let call = try #require(run(p, #"  {"name": "get_weather", "parameters": {"city": "A", "unit": "c"}}"#))
        #expect(call.isComplete && call.calls == 1)
        #expect(run(p, #"{"name": "get_weather", "arguments": {}}"#) == nil)    // llama3 says "parameters"
        #expect(run(p, "<|python_tag|>{\"name\": \"get_weather\"") != nil)
        #expect(run(p, "<b>bold</b>")?.canEnd == true)                         // `<` that is not the tag is text
    }
}

@Suite struct ToolCallStreamerTests {
    @Test func contentThenCallsAcrossPieces() {
        var s = ToolCallStreamer(format: .hermes)
        var events: [ToolCallStreamer.Event] = []
        for piece in ["Checking", " <tool", "_call>\n{\"name\": \"f\", \"argu", "ments\": {\"b\": 1, \"a\": [true]}}\n</tool_call>\n",
                      "<tool_call>\n{\"name\": \"g\", \"arguments\": {}}\n</tool_call>"] {
            events += s.feed(piece)
        }
        let (rest, unfinished) = s.finish()
        events += rest
        #expect(!unfinished)
        #expect(events == [.content("Checking"), .content(" "), .call(.init(name: "f", arguments: #"{"b":1,"a":[true]}"#)),
                           .call(.init(name: "g", arguments: "{}"))])
    }

    @Test func aLessThanThatIsNotATagIsContent() {
        var s = ToolCallStreamer(format: .hermes)
        let first = s.feed("a <")
        #expect(first == [.content("a ")])       // `<` held back: it may start the tag
        let second = s.feed("b> c")
        #expect(second == [.content("<b> c")])
    }

    @Test func anUnfinishedCallIsReported() {
        let parsed = ToolCallStreamer.parse("<tool_call>\n{\"name\": \"f\", \"arguments\": {\"a\"", format: .hermes)
        #expect(parsed.unfinished && parsed.calls.isEmpty)
        #expect(ToolCallStreamer.heldBack("x <tool_call>\n{\"na", format: .hermes) == "<tool_call>\n{\"na")
    }

    @Test func llama3WholeAnswer() {
        let call = ToolCallStreamer.parse("<|python_tag|>{\"name\": \"f\", \"parameters\": {\"x\": 2}}", format: .llama3)
        #expect(call.calls == [.init(name: "f", arguments: #"{"x":2}"#)] && call.content == nil)
        let text = ToolCallStreamer.parse("Just words.", format: .llama3)
        #expect(text.calls.isEmpty && text.content == "Just words.")
    }
}

@Suite struct ToolInjectionTests {
    @Test func aTemplateWithoutToolsGetsTheHermesDescriptionAndTurns() throws {
        let tool: TemplateValue = .object(TemplateObject([("type", .string("function")),
                                                          ("function", .object(TemplateObject([("name", .string("f"))])))]))
        let messages = [
            ChatMessage(role: "system", content: "Be brief."),
            ChatMessage(role: "user", content: "Weather?"),
            ChatMessage(role: "assistant", content: "", toolCalls: [.init(id: "call_1", name: "f", arguments: #"{"city":"A"}"#)]),
            ChatMessage(role: "tool", content: "21C", toolCallID: "call_1"),
            ChatMessage(role: "tool", content: "sunny", toolCallID: "call_1"),
        ]
        let out = ChatFormatter.injectTools([tool], into: messages)
        #expect(out.map(\.role) == ["system", "user", "assistant", "user"])
        #expect(out[0].content.hasPrefix("Be brief.\n\n# Tools") && out[0].content.contains(#"{"type":"function","function":{"name":"f"}}"#))
        #expect(out[2].content == "<tool_call>\n{\"name\": \"f\", \"arguments\": {\"city\":\"A\"}}\n</tool_call>")
        #expect(out[3].content == "<tool_response>\n21C\n</tool_response>\n<tool_response>\nsunny\n</tool_response>")
    }

    @Test func toolCallsRenderAsTemplatesExpect() throws {
        let m = ChatMessage(role: "assistant", content: "", toolCalls: [.init(id: "c1", name: "f", arguments: #"{"b":1,"a":2}"#)])
        let template = try ChatTemplate(source: "{% for m in messages %}{% for t in m.tool_calls %}{{ t.function.name }}{{ t.function.arguments | tojson }}{% endfor %}{{ m.content is none }}{% endfor %}")
        #expect(try template.render(messages: [m], addGenerationPrompt: false, bosToken: "", eosToken: "") == #"f{"b": 1, "a": 2}True"#)
    }
}

@Suite struct ToolCallStreamerWhitespaceTests {
    @Test func whitespaceBetweenCallsInLaterPiecesIsNotContent() {
        var s = ToolCallStreamer(format: .hermes)
        var events = s.feed("<tool_call>\n{\"name\": \"f\", \"arguments\": {}}\n</tool_call>")
        events += s.feed("\n")
        events += s.feed(" \n<tool_call>\n{\"name\": \"g\", \"arguments\": {}}\n</tool_call>")
        events += s.finish().events
        #expect(events == [.call(.init(name: "f", arguments: "{}")), .call(.init(name: "g", arguments: "{}"))])
    }
}
