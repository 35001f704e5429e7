import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Server

/// `/v1/completions` in the shape lm-evaluation-harness relies on, and the tokenizer routes.
@Suite struct CompletionsTests {
    static func object(_ b: ByteBuffer) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: b)) as? [String: Any])
    }

    @Test func echoWithLogprobsCoversEveryPromptTokenPlusOne() async throws {
        try await TestServer.app().test(.router) { client in
            // lm-eval's request: token-id prompts in a batch, echo, logprobs 1, one token.
            let body = #"{"model":"tiny","prompt":[[1,2,3,4,5],[9,8,7]],"max_tokens":1,"logprobs":1,"echo":true,"temperature":0,"seed":1234}"#
            try await client.execute(uri: "/v1/completions", method: .post, body: ByteBuffer(string: body)) { response in
                #expect(response.status == .ok)
                let o = try Self.object(response.body)
                #expect(o["object"] as? String == "text_completion")
                let choices = try #require(o["choices"] as? [[String: Any]])
                #expect(choices.map { $0["index"] as? Int } == [0, 1])
                for (choice, promptCount) in zip(choices, [5, 3]) {
                    let lp = try #require(choice["logprobs"] as? [String: Any])
                    let values = try #require(lp["token_logprobs"] as? [Any])
                    let tops = try #require(lp["top_logprobs"] as? [Any])
                    let tokens = try #require(lp["tokens"] as? [String])
                    #expect(values.count == promptCount + 1)
                    #expect(tops.count == promptCount + 1)
                    #expect(tokens.count == promptCount + 1)
                    #expect(values.first is NSNull)
                    #expect(tops.first is NSNull)
                    for v in values.dropFirst() {
                        let x = try #require(v as? Double)
                        #expect(x <= 0 && x.isFinite)
                    }
                    for t in tops.dropFirst() { #expect((t as? [String: Double])?.count == 1) }
                }
                let usage = try #require(o["usage"] as? [String: Any])
                #expect(usage["prompt_tokens"] as? Int == 8)
                #expect(usage["completion_tokens"] as? Int == 2)
            }
        }
    }

    @Test func scoringOnlyWithMaxTokensZero() async throws {
        try await TestServer.app().test(.router) { client in
            let body = #"{"model":"tiny","prompt":"Сәлем әлем","max_tokens":0,"logprobs":0,"echo":true}"#
            try await client.execute(uri: "/v1/completions", method: .post, body: ByteBuffer(string: body)) { response in
                #expect(response.status == .ok)
                let choice = try #require((try Self.object(response.body)["choices"] as? [[String: Any]])?.first)
                #expect((choice["text"] as? String)?.hasSuffix("Сәлем әлем") == true)
                let lp = try #require(choice["logprobs"] as? [String: Any])
                let tokens = try #require(lp["tokens"] as? [String])
                #expect((lp["token_logprobs"] as? [Any])?.count == tokens.count)
            }
        }
    }

    @Test func plainAndStreamedCompletionAgree() async throws {
        try await TestServer.app().test(.router) { client in
            let plain = #"{"model":"tiny","prompt":"abc","max_tokens":6,"temperature":0}"#
            var text = ""
            try await client.execute(uri: "/v1/completions", method: .post, body: ByteBuffer(string: plain)) { response in
                let choice = try #require((try Self.object(response.body)["choices"] as? [[String: Any]])?.first)
                text = try #require(choice["text"] as? String)
                #expect(choice["logprobs"] is NSNull)
            }
            let streamed = #"{"model":"tiny","prompt":"abc","max_tokens":6,"temperature":0,"stream":true}"#
            try await client.execute(uri: "/v1/completions", method: .post, body: ByteBuffer(string: streamed)) { response in
                let events = String(buffer: response.body).components(separatedBy: "\n\n").filter { !$0.isEmpty }
                #expect(events.last == "data: [DONE]")
                var joined = ""
                for e in events.dropLast() {
                    let o = try #require(try JSONSerialization.jsonObject(with: Data(e.dropFirst(6).utf8)) as? [String: Any])
                    joined += ((o["choices"] as? [[String: Any]])?.first?["text"] as? String) ?? ""
                }
                #expect(joined == text)
            }
        }
    }

    @Test(arguments: [
        (#"{"model":"tiny","prompt":"x","n":2}"#, 400),
        (#"{"model":"tiny","prompt":[[1,-2]]}"#, 400),
        (#"{"model":"tiny","prompt":[[99999999]],"max_tokens":1}"#, 400),
        (#"{"model":"tiny","prompt":"x","max_tokens":500}"#, 400),
        (#"{"model":"other","prompt":"x"}"#, 404),
        (#"{"model":"tiny","prompt":"x","logprobs":50}"#, 400),
        (#"{"model":"tiny","prompt":"x","echo":true,"logprobs":1,"stream":true}"#, 400),
    ])
    func badRequests(body: String, status: Int) async throws {
        try await TestServer.app().test(.router) { client in
            try await client.execute(uri: "/v1/completions", method: .post, body: ByteBuffer(string: body)) { response in
                #expect(Int(response.status.code) == status, "\(body)")
                let error = try Self.object(response.body)["error"] as? [String: Any]
                #expect(error?["message"] is String)
            }
        }
    }

    @Test func tokenizerRoutesRoundTrip() async throws {
        try await TestServer.app().test(.router) { client in
            try await client.execute(uri: "/tokenizer_info", method: .get) { response in
                let o = try Self.object(response.body)
                #expect(o["eos_token"] is String)
                #expect(o["model_max_length"] as? Int == 128)
            }
            var ids: [Int] = []
            let tokenize = #"{"prompt":"Қазақстан","add_special_tokens":false}"#
            try await client.execute(uri: "/tokenize", method: .post, body: ByteBuffer(string: tokenize)) { response in
                ids = try #require(try Self.object(response.body)["tokens"] as? [Int])
                #expect(!ids.isEmpty)
            }
            let detokenize = #"{"tokens":\#(ids)}"#
            try await client.execute(uri: "/detokenize", method: .post, body: ByteBuffer(string: detokenize)) { response in
                let text = try Self.object(response.body)["prompt"] as? String
                #expect(text == "Қазақстан")
            }
            try await client.execute(uri: "/detokenize", method: .post, body: ByteBuffer(string: #"{"tokens":[-1]}"#)) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/tokenize", method: .post, body: ByteBuffer(string: #"{"prompt":"x","model":"nope"}"#)) { response in
                #expect(response.status == .notFound)
            }
        }
    }
}
