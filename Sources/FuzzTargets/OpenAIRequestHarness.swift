import Foundation
import OpenAIAPI

/// Request bodies of the OpenAI-compatible API, decoded and validated exactly as the
/// server does. A body that decodes and validates must survive re-encoding: what the
/// server logs or forwards upstream is the request it accepted.
enum OpenAIRequestHarness {
    static let target = FuzzTarget(name: "openai-request",
                                   summary: "chat, completions, tokenize and detokenize bodies: decode, validate, re-encode") {
        { bytes in
            let data = Data(bytes)
            if let chat = try? WireJSON.decode(ChatCompletionRequest.self, from: data), (try? chat.validate()) != nil {
                let again = try? WireJSON.decode(ChatCompletionRequest.self, from: WireJSON.data(chat))
                precondition(again == chat, "an accepted chat request does not survive re-encoding")
            }
            if let completion = try? WireJSON.decode(CompletionRequest.self, from: data), (try? completion.validate()) != nil {
                let again = try? WireJSON.decode(CompletionRequest.self, from: WireJSON.data(completion))
                precondition(again == completion, "an accepted completion request does not survive re-encoding")
            }
            _ = try? WireJSON.decode(TokenizeRequest.self, from: data)
            _ = try? WireJSON.decode(DetokenizeRequest.self, from: data)
        }
    }
}
