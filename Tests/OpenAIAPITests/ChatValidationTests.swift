import Testing
@testable import OpenAIAPI

struct ChatValidationTests {
    func request(_ edit: (inout ChatCompletionRequest) -> Void) -> ChatCompletionRequest {
        var r = ChatCompletionRequest(model: "m", messages: [ChatMessage(role: .user, text: "hi")])
        edit(&r)
        return r
    }

    func error(_ edit: (inout ChatCompletionRequest) -> Void) -> APIError? {
        let r = request(edit)
        return Wire.validationError { () throws(APIError) in try r.validate() }
    }

    @Test func validBoundsPass() throws {
        try request {
            $0.temperature = 2; $0.topP = 1; $0.topLogprobs = 20; $0.logprobs = true
            $0.presencePenalty = -2; $0.frequencyPenalty = 2; $0.maxTokens = 1; $0.n = 1
            $0.logitBias = ["0": -100, "7": 100]; $0.responseFormat = ResponseFormat(type: "text")
        }.validate()
        try request { $0.temperature = 0 }.validate()
    }

    /// Each bad field is reported as a 400 whose `param` names it.
    @Test func outOfRangeIsA400NamingTheField() throws {
        let cases: [(String, (inout ChatCompletionRequest) -> Void)] = [
            ("temperature", { $0.temperature = 2.5 }),
            ("temperature", { $0.temperature = -0.1 }),
            ("top_p", { $0.topP = 0 }),
            ("top_p", { $0.topP = 1.01 }),
            ("presence_penalty", { $0.presencePenalty = 2.1 }),
            ("frequency_penalty", { $0.frequencyPenalty = -3 }),
            ("max_tokens", { $0.maxTokens = 0 }),
            ("max_completion_tokens", { $0.maxCompletionTokens = -1 }),
            ("n", { $0.n = 2 }),
            ("top_logprobs", { $0.logprobs = true; $0.topLogprobs = 21 }),
            ("top_logprobs", { $0.topLogprobs = 2 }),
            ("logit_bias", { $0.logitBias = ["5": 101] }),
            ("logit_bias", { $0.logitBias = ["hello": 1] }),
            ("messages", { $0.messages = [] }),
            ("messages[0].role", { $0.messages = [ChatMessage(role: "wizard", content: .text("x"))] }),
            ("messages[0].content[1].type", {
                $0.messages = [ChatMessage(role: "user", content: .parts([ContentPart(text: "a"), ContentPart(type: "image_url")]))] }),
            ("response_format.type", { $0.responseFormat = ResponseFormat(type: "xml") }),
            ("response_format.json_schema", { $0.responseFormat = ResponseFormat(type: "json_schema") }),
            ("stream_options", { $0.streamOptions = StreamOptions(includeUsage: true) }),
            ("stop", { $0.stop = .multiple(["a", "b", "c", "d", "e"]) }),
        ]
        for (param, edit) in cases {
            let e = try #require(error(edit), "expected an error for \(param)")
            #expect(e.status == 400)
            #expect(e.type == "invalid_request_error")
            #expect(e.param == param)
            #expect(!e.message.isEmpty)
        }
    }

    @Test func messagesAreReadable() throws {
        #expect(try #require(error { $0.temperature = 3 }).message == "'temperature' must be between 0 and 2, got 3.")
        #expect(try #require(error { $0.n = 3 }).message.contains("n=1"))
        #expect(try #require(error { $0.messages = [ChatMessage(role: "wizard", content: nil)] }).message.contains("'wizard'"))
    }
}
