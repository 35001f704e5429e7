import Foundation
import Testing
@testable import OpenAIAPI

struct ResponseEncodingTests {
    @Test func modelListWithLoRAParent() throws {
        let list = ModelList(data: [
            ModelObject(id: "smollm2-135m", created: 1_700_000_000),
            ModelObject(id: "kazllm-lora/qa", created: 1_700_000_001, parent: "smollm2-135m"),
        ])
        let obj = try Wire.object(list)
        #expect(obj["object"] as? String == "list")
        let data = try #require(obj["data"] as? [[String: Any]])
        #expect(data[0]["id"] as? String == "smollm2-135m")
        #expect(data[0]["object"] as? String == "model")
        #expect(data[0]["created"] as? Int == 1_700_000_000)
        #expect(data[0]["owned_by"] as? String == "aqyl")
        #expect(data[0]["parent"] == nil)
        #expect(data[1]["parent"] as? String == "smollm2-135m")
        #expect(!WireJSON.string(list).contains(#"\/"#), "slashes must not be escaped")
    }

    @Test func chatCompletion() throws {
        let logprobs = ChatLogprobs(content: [
            TokenLogprob(token: "Сәл", logprob: -0.25, bytes: Array("Сәл".utf8),
                         topLogprobs: [TopLogprob(token: "Сәл", logprob: -0.25), TopLogprob(token: "Hi", logprob: -1.5)]),
        ])
        let response = ChatCompletionResponse(
            id: "chatcmpl-1", created: 1_700_000_000, model: "m",
            choices: [.init(message: AssistantMessage(content: "Сәлем"), finishReason: .stop, logprobs: logprobs)],
            usage: Usage(promptTokens: 7, completionTokens: 2))
        let obj = try Wire.object(response)
        #expect(obj["id"] as? String == "chatcmpl-1")
        #expect(obj["object"] as? String == "chat.completion")
        #expect(obj["created"] as? Int == 1_700_000_000)
        #expect(obj["model"] as? String == "m")
        let choice = try #require((obj["choices"] as? [[String: Any]])?.first)
        #expect(choice["index"] as? Int == 0)
        #expect(choice["finish_reason"] as? String == "stop")
        let message = try #require(choice["message"] as? [String: Any])
        #expect(message["role"] as? String == "assistant" && message["content"] as? String == "Сәлем")
        let content = try #require((choice["logprobs"] as? [String: Any])?["content"] as? [[String: Any]])
        #expect(content[0]["token"] as? String == "Сәл")
        #expect(content[0]["logprob"] as? Double == -0.25)
        #expect(content[0]["bytes"] as? [Int] == Array("Сәл".utf8).map(Int.init))
        let top = try #require(content[0]["top_logprobs"] as? [[String: Any]])
        #expect(top.count == 2 && top[1]["token"] as? String == "Hi" && top[1]["bytes"] is NSNull)
        let usage = try #require(obj["usage"] as? [String: Any])
        #expect(usage["prompt_tokens"] as? Int == 7 && usage["completion_tokens"] as? Int == 2 && usage["total_tokens"] as? Int == 9)
        #expect(try Wire.decode(ChatCompletionResponse.self, WireJSON.string(response)) == response)
    }

    @Test func chatCompletionWithoutLogprobsWritesNull() throws {
        let response = ChatCompletionResponse(id: "c", created: 1, model: "m",
            choices: [.init(message: AssistantMessage(content: "x"), finishReason: .length)],
            usage: Usage(promptTokens: 1, completionTokens: 1))
        let choice = try #require((try Wire.object(response)["choices"] as? [[String: Any]])?.first)
        #expect(choice["logprobs"] is NSNull)
        #expect(choice["finish_reason"] as? String == "length")
    }

    @Test func streamChunks() throws {
        let first = try Wire.object(ChatCompletionChunk.roleChunk(id: "chatcmpl-9", created: 5, model: "m"))
        #expect(first["object"] as? String == "chat.completion.chunk")
        #expect(first["id"] as? String == "chatcmpl-9")
        #expect(first["usage"] == nil)
        let c0 = try #require((first["choices"] as? [[String: Any]])?.first)
        #expect((c0["delta"] as? [String: Any])?["role"] as? String == "assistant")
        #expect(c0["finish_reason"] is NSNull)
        #expect(c0["logprobs"] == nil)

        let middle = try Wire.object(ChatCompletionChunk.content("әлем", id: "chatcmpl-9", created: 5, model: "m"))
        let delta = try #require(((middle["choices"] as? [[String: Any]])?.first)?["delta"] as? [String: Any])
        #expect(delta["content"] as? String == "әлем" && delta["role"] == nil)

        let last = try Wire.object(ChatCompletionChunk.finish(.stop, id: "chatcmpl-9", created: 5, model: "m"))
        let lastChoice = try #require((last["choices"] as? [[String: Any]])?.first)
        #expect(lastChoice["finish_reason"] as? String == "stop")
        #expect((lastChoice["delta"] as? [String: Any])?.isEmpty == true)

        let usage = try Wire.object(ChatCompletionChunk.usageOnly(Usage(promptTokens: 3, completionTokens: 4),
                                                                  id: "chatcmpl-9", created: 5, model: "m"))
        #expect((usage["choices"] as? [Any])?.isEmpty == true)
        #expect((usage["usage"] as? [String: Any])?["total_tokens"] as? Int == 7)
        #expect(usage["id"] as? String == "chatcmpl-9")
    }

    /// The echo+logprobs answer lm-evaluation-harness sums: the first token has null
    /// logprob and null top_logprobs, and the arrays stay parallel.
    @Test func completionWithEchoLogprobs() throws {
        let logprobs = CompletionLogprobs(
            tokens: ["The", " sky", " is", " blue"],
            tokenLogprobs: [nil, -2.5, -0.5, -Double.infinity],
            topLogprobs: [nil, [" sky": -2.5], [" is": -0.5], [" blue": -0.1]],
            textOffset: [0, 3, 7, 10])
        let response = CompletionResponse(id: "cmpl-1", created: 2, model: "m",
            choices: [.init(text: "The sky is blue", index: 0, logprobs: logprobs, finishReason: .length)],
            usage: Usage(promptTokens: 3, completionTokens: 1))
        let json = WireJSON.string(response)
        #expect(json.contains(#""token_logprobs":[null,-2.5,-0.5,-9999]"#))
        let obj = try Wire.object(json: json)
        #expect(obj["object"] as? String == "text_completion")
        let choice = try #require((obj["choices"] as? [[String: Any]])?.first)
        #expect(choice["text"] as? String == "The sky is blue")
        #expect(choice["index"] as? Int == 0)
        #expect(choice["finish_reason"] as? String == "length")
        let lp = try #require(choice["logprobs"] as? [String: Any])
        #expect(lp["tokens"] as? [String] == ["The", " sky", " is", " blue"])
        let tokenLogprobs = try #require(lp["token_logprobs"] as? [Any])
        #expect(tokenLogprobs.count == 4)
        #expect(tokenLogprobs[0] is NSNull)
        #expect(tokenLogprobs[1] as? Double == -2.5)
        #expect(tokenLogprobs[3] as? Double == WireLogprob.floor)
        let top = try #require(lp["top_logprobs"] as? [Any])
        #expect(top[0] is NSNull)
        #expect((top[1] as? [String: Double])?[" sky"] == -2.5)
        #expect(lp["text_offset"] as? [Int] == [0, 3, 7, 10])
        #expect((obj["usage"] as? [String: Any])?["total_tokens"] as? Int == 4)
        let back = try Wire.decode(CompletionResponse.self, json)
        #expect(back.choices[0].logprobs?.tokenLogprobs.first == .some(nil))
    }

    @Test func completionWithoutLogprobsWritesNull() throws {
        let response = CompletionResponse(id: "cmpl-2", created: 2, model: "m",
            choices: [.init(text: "x", finishReason: nil)], usage: nil)
        let obj = try Wire.object(response)
        let choice = try #require((obj["choices"] as? [[String: Any]])?.first)
        #expect(choice["logprobs"] is NSNull && choice["finish_reason"] is NSNull)
        #expect(obj["usage"] == nil)
    }

    @Test func tokenizerEndpoints() throws {
        let tok = try Wire.decode(TokenizeRequest.self, #"{"prompt":"Сәлем","add_special_tokens":false}"#)
        #expect(tok.prompt == "Сәлем" && tok.addsSpecialTokens == false)
        #expect(try Wire.decode(TokenizeRequest.self, #"{"prompt":"x"}"#).addsSpecialTokens)
        let tokObj = try Wire.object(TokenizeResponse(tokens: [1, 2, 3], maxModelLen: 2048))
        #expect(tokObj["tokens"] as? [Int] == [1, 2, 3] && tokObj["count"] as? Int == 3 && tokObj["max_model_len"] as? Int == 2048)
        #expect(try Wire.decode(DetokenizeRequest.self, #"{"tokens":[4,5]}"#).tokens == [4, 5])
        #expect(try Wire.object(DetokenizeResponse(prompt: "hi"))["prompt"] as? String == "hi")
        let info = try Wire.object(TokenizerInfo(eosToken: "<|im_end|>", bosToken: nil, eosTokenId: 2, chatTemplate: "{{x}}"))
        #expect(info["eos_token"] as? String == "<|im_end|>")
        #expect(info["eos_token_id"] as? Int == 2)
        #expect(info["chat_template"] as? String == "{{x}}")
        #expect(info["bos_token"] == nil)
    }
}
