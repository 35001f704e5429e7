import Foundation
import Testing
@testable import OpenAIAPI

struct ChatRequestDecodingTests {
    /// The body the official openai Python client sends for a streamed chat with options.
    @Test func officialPythonClientBody() throws {
        let json = """
        {"messages":[{"role":"system","content":"You are helpful."},{"role":"user","content":"Сәлем! https://kaz.example/a"}],\
        "model":"smollm2-135m","frequency_penalty":0.5,"logit_bias":{"50256":-100,"13":2.5},"logprobs":true,\
        "max_completion_tokens":64,"max_tokens":32,"n":1,"presence_penalty":-0.5,"response_format":{"type":"json_object"},\
        "seed":42,"stop":["\\n\\n","END"],"stream":true,"stream_options":{"include_usage":true},"temperature":0.7,\
        "top_logprobs":3,"top_p":0.9,"user":"u-1","parallel_tool_calls":false}
        """
        let r = try Wire.decode(ChatCompletionRequest.self, json)
        #expect(r.model == "smollm2-135m")
        #expect(r.messages.count == 2)
        #expect(r.messages[0].knownRole == .system)
        #expect(r.messages[1].text == "Сәлем! https://kaz.example/a")
        #expect(r.isStreaming && r.includesStreamUsage)
        #expect(r.temperature == 0.7 && r.topP == 0.9)
        #expect(r.maxOutputTokens == 64)
        #expect(r.stopSequences == ["\n\n", "END"])
        #expect(r.seed == 42)
        #expect(r.presencePenalty == -0.5 && r.frequencyPenalty == 0.5)
        #expect(r.tokenBiases == [50256: -100, 13: 2.5])
        #expect(r.logprobs == true && r.topLogprobs == 3)
        #expect(r.n == 1)
        #expect(r.wantsJSONObject)
        #expect(r.user == "u-1")
        try r.validate()
    }

    @Test func minimalBodyHasDefaults() throws {
        let r = try Wire.decode(ChatCompletionRequest.self, #"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#)
        #expect(!r.isStreaming && !r.includesStreamUsage)
        #expect(r.maxOutputTokens == nil && r.stopSequences.isEmpty && r.tokenBiases.isEmpty && !r.wantsJSONObject)
        try r.validate()
    }

    @Test func contentPartsAreFlattened() throws {
        let json = """
        {"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"Бірінші"},{"type":"text","text":"second"}]}]}
        """
        let r = try Wire.decode(ChatCompletionRequest.self, json)
        #expect(r.messages[0].content == .parts([ContentPart(text: "Бірінші"), ContentPart(text: "second")]))
        #expect(r.messages[0].text == "Бірінші\nsecond")
        try r.validate()
    }

    @Test func nullContentIsAccepted() throws {
        let r = try Wire.decode(ChatCompletionRequest.self,
                                #"{"model":"m","messages":[{"role":"assistant","content":null},{"role":"user","content":"x"}]}"#)
        #expect(r.messages[0].content == nil && r.messages[0].text == "")
    }

    @Test func stopAsStringOrArray() throws {
        let single = try Wire.decode(ChatCompletionRequest.self, #"{"model":"m","messages":[{"role":"user","content":"x"}],"stop":"\n"}"#)
        #expect(single.stop == .single("\n") && single.stopSequences == ["\n"])
        let many = try Wire.decode(ChatCompletionRequest.self, #"{"model":"m","messages":[{"role":"user","content":"x"}],"stop":["a","b"]}"#)
        #expect(many.stop == .multiple(["a", "b"]) && many.stopSequences == ["a", "b"])
    }

    @Test func roundTripKeepsWireNames() throws {
        var r = ChatCompletionRequest(model: "m", messages: [ChatMessage(role: .user, text: "hi")])
        r.maxTokens = 5
        r.streamOptions = StreamOptions(includeUsage: true)
        r.topP = 0.5
        let obj = try Wire.object(r)
        #expect(obj["max_tokens"] as? Int == 5)
        #expect(obj["top_p"] as? Double == 0.5)
        #expect((obj["stream_options"] as? [String: Any])?["include_usage"] as? Bool == true)
        #expect(obj["temperature"] == nil)
        #expect(try Wire.decode(ChatCompletionRequest.self, WireJSON.string(r)) == r)
    }

    @Test func badJSONIsA400() {
        let e = Wire.validationError { () throws(APIError) in
            _ = try WireJSON.decode(ChatCompletionRequest.self, from: Data("{not json".utf8))
        }
        #expect(e?.status == 400 && e?.code == "invalid_json" && e?.type == "invalid_request_error")
    }

    @Test func missingFieldNamesIt() {
        let e = Wire.validationError { () throws(APIError) in
            _ = try WireJSON.decode(ChatCompletionRequest.self, from: Data(#"{"model":"m"}"#.utf8))
        }
        #expect(e?.status == 400 && e?.param == "messages" && e?.code == "missing_required_parameter")
    }

    @Test func wrongTypeNamesThePath() {
        let e = Wire.validationError { () throws(APIError) in
            _ = try WireJSON.decode(ChatCompletionRequest.self,
                                    from: Data(#"{"model":"m","messages":[{"role":"user","content":"x"}],"temperature":"hot"}"#.utf8))
        }
        #expect(e?.status == 400 && e?.param == "temperature")
        let e2 = Wire.validationError { () throws(APIError) in
            _ = try WireJSON.decode(ChatCompletionRequest.self,
                                    from: Data(#"{"model":"m","messages":[{"role":"user","content":42}]}"#.utf8))
        }
        #expect(e2?.status == 400 && e2?.param == "messages[0].content")
    }
}
