import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Server

/// `/v1/responses` shapes, events and refusals on the tiny model.
@Suite struct ResponsesRouteTests {
    static func object(_ b: ByteBuffer) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: b)) as? [String: Any])
    }

    @Test func aWholeResponse() async throws {
        try await TestServer.app().test(.router) { client in
            let body = #"{"model":"tiny","input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"сәлем"}]}],"instructions":"Қысқа жауап бер.","max_output_tokens":5,"temperature":0}"#
            try await client.execute(uri: "/v1/responses", method: .post, body: ByteBuffer(string: body)) { response in
                #expect(response.status == .ok)
                let json = try Self.object(response.body)
                #expect(json["object"] as? String == "response")
                #expect((json["id"] as? String)?.hasPrefix("resp_") == true)
                #expect(["completed", "incomplete"].contains(json["status"] as? String))
                let output = try #require(json["output"] as? [[String: Any]])
                let message = try #require(output.first)
                #expect(message["type"] as? String == "message" && message["role"] as? String == "assistant")
                let part = try #require((message["content"] as? [[String: Any]])?.first)
                #expect(part["type"] as? String == "output_text" && part["text"] is String)
                let usage = try #require(json["usage"] as? [String: Any])
                #expect((usage["output_tokens"] as? Int ?? 0) <= 5)
                #expect(json["instructions"] as? String == "Қысқа жауап бер.")
                #expect(json.keys.contains("incomplete_details") && json.keys.contains("previous_response_id"))
                if json["status"] as? String == "incomplete" {
                    #expect((json["incomplete_details"] as? [String: Any])?["reason"] as? String == "max_output_tokens")
                }
            }
        }
    }

    @Test func theEventStream() async throws {
        try await TestServer.app().test(.router) { client in
            let body = #"{"model":"tiny","input":"сәлем","max_output_tokens":4,"temperature":0,"stream":true}"#
            try await client.execute(uri: "/v1/responses", method: .post, body: ByteBuffer(string: body)) { response in
                #expect(response.status == .ok)
                let text = String(buffer: response.body)
                let frames = text.components(separatedBy: "\n\n").filter { !$0.isEmpty }
                let types = frames.compactMap { $0.split(separator: "\n").first.map { String($0.dropFirst("event: ".count)) } }
                #expect(Array(types.prefix(4)) == ["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added"])
                #expect(Array(types.suffix(4)).dropLast() == ["response.output_text.done", "response.content_part.done", "response.output_item.done"])
                #expect(["response.completed", "response.incomplete"].contains(types.last ?? ""))
                #expect(!text.contains("[DONE]"))
                // Every data line carries its type and a running sequence number.
                for (i, frame) in frames.enumerated() {
                    let data = try #require(frame.split(separator: "\n").last.map { String($0.dropFirst("data: ".count)) })
                    let event = try #require(try JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any])
                    #expect(event["sequence_number"] as? Int == i)
                    #expect(event["type"] as? String == types[i])
                }
            }
        }
    }

    @Test(arguments: [
        (#"{"model":"tiny","input":""}"#, "input"),
        (#"{"model":"tiny","input":"x","previous_response_id":"resp_1"}"#, "previous_response_id"),
        (#"{"model":"tiny","input":"x","tools":[{"type":"function","name":"bad name"}]}"#, "tools[0].name"),
        (#"{"model":"tiny","input":"x","tool_choice":"required"}"#, "tool_choice"),
        (#"{"model":"tiny","input":[{"type":"function_call_output","call_id":"c9","output":"1"}]}"#, "input[0].call_id"),
        (#"{"model":"tiny","input":"x","temperature":3}"#, "temperature"),
        (#"{"model":"tiny","input":"x","max_output_tokens":0}"#, "max_output_tokens"),
        (#"{"model":"tiny","input":"x","text":{"format":{"type":"yaml"}}}"#, "text.format.type"),
        (#"{"model":"tiny","input":"x","text":{"format":{"type":"json_schema","name":"s","schema":{"type":"string","format":"email"}}}}"#, "text.format.schema.format"),
        (#"{"model":"tiny","input":[{"type":"computer_call","call_id":"c"}]}"#, nil),
        (#"{"model":"tiny","input":[{"role":"robot","content":"x"}]}"#, nil),
        (#"{"model":"tiny","input":[{"role":"user","content":[{"type":"input_image","image_url":"x"}]}]}"#, nil),
    ])
    func badRequestsAre400(_ body: String, _ param: String?) async throws {
        try await TestServer.app().test(.router) { client in
            try await client.execute(uri: "/v1/responses", method: .post, body: ByteBuffer(string: body)) { response in
                #expect(response.status == .badRequest)
                let error = try #require(try Self.object(response.body)["error"] as? [String: Any])
                if let param { #expect(error["param"] as? String == param, "\(error)") }
                #expect((error["message"] as? String)?.isEmpty == false)
            }
        }
    }
}
