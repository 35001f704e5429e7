import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Server

/// Chat logprobs, json_object, concurrency limits.
@Suite struct ChatFeaturesTests {
    static func object(_ b: ByteBuffer) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: b)) as? [String: Any])
    }

    @Test func logprobsWithTopAlternatives() async throws {
        try await TestServer.app().test(.router) { client in
            let body = #"{"model":"tiny","messages":[{"role":"user","content":"hi"}],"max_tokens":3,"temperature":0,"logprobs":true,"top_logprobs":2}"#
            try await client.execute(uri: "/v1/chat/completions", method: .post, body: ByteBuffer(string: body)) { response in
                let choice = try #require((try Self.object(response.body)["choices"] as? [[String: Any]])?.first)
                let content = try #require((choice["logprobs"] as? [String: Any])?["content"] as? [[String: Any]])
                #expect(content.count == 3)
                for entry in content {
                    let top = try #require(entry["top_logprobs"] as? [[String: Any]])
                    #expect(top.count == 2)
                    // Greedy: the chosen token is the most likely one.
                    #expect(entry["token"] as? String == top.first?["token"] as? String)
                    #expect(entry["bytes"] is [Int])
                }
            }
        }
    }

    @Test func jsonObjectOutputParses() async throws {
        try await TestServer.app().test(.router) { client in
            for seed in 1...3 {
                let body = #"{"model":"tiny","messages":[{"role":"user","content":"JSON please"}],"max_tokens":100,"seed":\#(seed),"temperature":0.8,"response_format":{"type":"json_object"}}"#
                try await client.execute(uri: "/v1/chat/completions", method: .post, body: ByteBuffer(string: body)) { response in
                    #expect(response.status == .ok)
                    let choice = try #require((try Self.object(response.body)["choices"] as? [[String: Any]])?.first)
                    let text = try #require((choice["message"] as? [String: Any])?["content"] as? String)
                    #expect(text.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("{"), "\(text.debugDescription)")
                    if choice["finish_reason"] as? String == "stop" {
                        #expect((try? JSONSerialization.jsonObject(with: Data(text.utf8))) is [String: Any], "\(text)")
                    }
                }
            }
        }
    }

    static let schema = #"{"type":"object","properties":{"ok":{"type":"boolean"},"kind":{"enum":["a","b"]},"n":{"type":"integer"}},"required":["ok","kind","n"],"additionalProperties":false}"#

    @Test func jsonSchemaOutputFollowsTheSchema() async throws {
        try await TestServer.app().test(.router) { client in
            for seed in 1...3 {
                let body = #"{"model":"tiny","messages":[{"role":"user","content":"JSON please"}],"max_tokens":60,"seed":\#(seed),"temperature":1,"response_format":{"type":"json_schema","json_schema":{"name":"t","strict":true,"schema":\#(Self.schema)}}}"#
                try await client.execute(uri: "/v1/chat/completions", method: .post, body: ByteBuffer(string: body)) { response in
                    #expect(response.status == .ok)
                    let choice = try #require((try Self.object(response.body)["choices"] as? [[String: Any]])?.first)
                    let text = try #require((choice["message"] as? [String: Any])?["content"] as? String)
                    guard choice["finish_reason"] as? String == "stop" else { return }
                    let value = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "\(text)")
                    #expect(Set(value.keys) == ["ok", "kind", "n"], "\(text)")
                    #expect(value["ok"] is Bool && ["a", "b"].contains(value["kind"] as? String) && value["n"] is Int, "\(text)")
                }
            }
        }
    }

    @Test(arguments: [
        (#"{"type":"json_schema","json_schema":{"name":"t","schema":{"type":"string","pattern":"a"}}}"#, "response_format.json_schema.schema.pattern"),
        (#"{"type":"json_schema","json_schema":{"name":"t"}}"#, "response_format.json_schema.schema"),
        (#"{"type":"json_schema"}"#, "response_format.json_schema"),
        (#"{"type":"json_schema","json_schema":{"name":"bad name","schema":{}}}"#, "response_format.json_schema.name"),
        (##"{"type":"json_schema","json_schema":{"name":"t","schema":{"$ref":"#/$defs/x"}}}"##, "response_format.json_schema.schema"),
        (#"{"type":"yaml"}"#, "response_format.type"),
    ])
    func badResponseFormatsAre400(_ format: String, _ param: String) async throws {
        try await TestServer.app().test(.router) { client in
            let body = #"{"model":"tiny","messages":[{"role":"user","content":"x"}],"response_format":\#(format)}"#
            try await client.execute(uri: "/v1/chat/completions", method: .post, body: ByteBuffer(string: body)) { response in
                #expect(response.status == .badRequest)
                let error = try #require(try Self.object(response.body)["error"] as? [String: Any])
                #expect(error["param"] as? String == param, "\(error)")
            }
        }
    }
}
