import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import Engine
import OpenAIAPI
@testable import Server
import TestSupport

/// The API in-process, on the tiny Llama-3-vocabulary model from the fixtures.
@Suite struct ChatCompletionsTests {
    static func app() async throws -> some ApplicationProtocol { try await TestServer.app() }

    static func json(_ s: String) -> ByteBuffer { ByteBuffer(string: s) }

    static func object(_ b: ByteBuffer) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: b)) as? [String: Any])
    }

    @Test func healthAndModels() async throws {
        try await Self.app().test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/v1/models", method: .get) { response in
                let o = try Self.object(response.body)
                let data = try #require(o["data"] as? [[String: Any]])
                #expect(data.first?["id"] as? String == "tiny")
                #expect(o["object"] as? String == "list")
            }
        }
    }

    @Test func nonStreamingCompletion() async throws {
        try await Self.app().test(.router) { client in
            let body = #"{"model":"tiny","messages":[{"role":"user","content":"Сәлем"}],"max_tokens":5,"temperature":0}"#
            try await client.execute(uri: "/v1/chat/completions", method: .post, body: Self.json(body)) { response in
                #expect(response.status == .ok)
                let o = try Self.object(response.body)
                #expect(o["object"] as? String == "chat.completion")
                let usage = try #require(o["usage"] as? [String: Any])
                #expect(usage["completion_tokens"] as? Int == 5)
                let choices = try #require(o["choices"] as? [[String: Any]])
                #expect(choices.first?["finish_reason"] as? String == "length")
            }
        }
    }

    @Test func streamingCompletionWithUsage() async throws {
        try await Self.app().test(.router) { client in
            let body = #"{"model":"tiny","messages":[{"role":"user","content":"hi"}],"max_tokens":4,"temperature":0,"stream":true,"stream_options":{"include_usage":true}}"#
            try await client.execute(uri: "/v1/chat/completions", method: .post, body: Self.json(body)) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/event-stream")
                let text = String(buffer: response.body)
                let events = text.components(separatedBy: "\n\n").filter { !$0.isEmpty }
                #expect(events.last == "data: [DONE]")
                let chunks = try events.dropLast().map { e -> [String: Any] in
                    #expect(e.hasPrefix("data: "))
                    return try #require(try JSONSerialization.jsonObject(with: Data(e.dropFirst(6).utf8)) as? [String: Any])
                }
                let ids = Set(chunks.compactMap { $0["id"] as? String })
                #expect(ids.count == 1)
                let first = try #require((chunks.first?["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any])
                #expect(first["role"] as? String == "assistant")
                let usageChunk = try #require(chunks.last)
                #expect((usageChunk["choices"] as? [Any])?.isEmpty == true)
                #expect((usageChunk["usage"] as? [String: Any])?["completion_tokens"] as? Int == 4)
            }
        }
    }

    @Test(arguments: [
        (#"{"model":"nope","messages":[{"role":"user","content":"x"}]}"#, 404),
        (#"{"model":"tiny","messages":[]}"#, 400),
        (#"{"model":"tiny","messages":[{"role":"user","content":"x"}],"temperature":7}"#, 400),
        (#"not json"#, 400),
        (#"{"model":"tiny","messages":[{"role":"user","content":"x"}],"max_tokens":100000}"#, 400),
    ])
    func errorsUseTheOpenAIObject(body: String, status: Int) async throws {
        try await Self.app().test(.router) { client in
            try await client.execute(uri: "/v1/chat/completions", method: .post, body: Self.json(body)) { response in
                #expect(Int(response.status.code) == status)
                let error = try #require(try Self.object(response.body)["error"] as? [String: Any])
                #expect(error["message"] is String)
                #expect(error["type"] is String)
            }
        }
    }

    @Test func oversizeBodyIs413() async throws {
        try await Self.app().test(.router) { client in
            let big = String(repeating: "a", count: 100 << 10)
            let body = #"{"model":"tiny","messages":[{"role":"user","content":""# + big + #""}]}"#
            try await client.execute(uri: "/v1/chat/completions", method: .post, body: Self.json(body)) { response in
                #expect(response.status.code == 413)
            }
        }
    }
}
