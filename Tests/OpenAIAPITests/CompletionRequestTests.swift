import Testing
@testable import OpenAIAPI

struct CompletionRequestTests {
    /// The exact body lm-evaluation-harness `local-completions` posts for log-likelihood.
    @Test func lmEvalHarnessBody() throws {
        let r = try Wire.decode(CompletionRequest.self,
            #"{"model":"m","prompt":[[1,2,3]],"max_tokens":1,"logprobs":1,"echo":true,"temperature":0,"seed":1234}"#)
        #expect(r.prompt == .tokenBatches([[1, 2, 3]]))
        #expect(r.prompt.items == [.tokens([1, 2, 3])])
        #expect(r.maxTokens == 1 && r.logprobs == 1 && r.echoesPrompt && r.temperature == 0 && r.seed == 1234)
        #expect(!r.isStreaming)
        try r.validate()
    }

    @Test func everyPromptForm() throws {
        func prompt(_ json: String) throws -> CompletionPrompt {
            try Wire.decode(CompletionRequest.self, #"{"model":"m","prompt":"# + json + "}").prompt
        }
        #expect(try prompt(#""Қазақстан""#) == .text("Қазақстан"))
        #expect(try prompt(#"["a","b"]"#) == .texts(["a", "b"]))
        #expect(try prompt("[5,6]") == .tokens([5, 6]))
        #expect(try prompt("[[5],[6,7]]") == .tokenBatches([[5], [6, 7]]))
        #expect(try prompt(#"["a","b"]"#).items == [.text("a"), .text("b")])
        #expect(throws: APIError.self) { try prompt("[1.5]") }
        #expect(throws: APIError.self) { try prompt(#"{"x":1}"#) }
    }

    @Test func textBatchWithStopString() throws {
        let r = try Wire.decode(CompletionRequest.self,
            #"{"model":"m","prompt":["Q: 2+2?\nA:"],"max_tokens":8,"stop":"\n","temperature":0.0,"n":1,"stream":false}"#)
        #expect(r.stopSequences == ["\n"] && r.maxOutputTokens == 8)
        try r.validate()
    }

    @Test func defaultsFollowOpenAI() throws {
        let r = try Wire.decode(CompletionRequest.self, #"{"model":"m","prompt":"x"}"#)
        #expect(r.maxOutputTokens == 16 && !r.echoesPrompt && r.logprobs == nil)
    }

    @Test func validation() throws {
        func error(_ edit: (inout CompletionRequest) -> Void) -> APIError? {
            var r = CompletionRequest(model: "m", prompt: .text("x"))
            edit(&r)
            return Wire.validationError { () throws(APIError) in try r.validate() }
        }
        #expect(error { $0.maxTokens = 0; $0.echo = true } == nil)
        #expect(error { $0.maxTokens = 0 }?.param == "max_tokens")
        #expect(error { $0.n = 4 }?.param == "n")
        #expect(error { $0.logprobs = 21 }?.param == "logprobs")
        #expect(error { $0.temperature = 9 }?.param == "temperature")
        #expect(error { $0.prompt = .tokenBatches([]) }?.param == "prompt")
        #expect(error { $0.prompt = .tokenBatches([[1], []]) }?.param == "prompt")
        #expect(error { $0.prompt = .tokens([1, -2]) }?.param == "prompt")
        #expect(error { $0.logitBias = ["x": 1] }?.param == "logit_bias")
    }
}
