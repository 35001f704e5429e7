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
}
