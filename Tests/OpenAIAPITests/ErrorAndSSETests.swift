import Foundation
import Testing
@testable import OpenAIAPI

struct ErrorAndSSETests {
    @Test func errorObjectShape() throws {
        let obj = try Wire.object(APIError.unknownModel("gpt-9"))
        let body = try #require(obj["error"] as? [String: Any])
        #expect(Set(body.keys) == ["message", "type", "param", "code"])
        #expect(body["message"] as? String == "The model `gpt-9` does not exist or you do not have access to it.")
        #expect(body["type"] as? String == "invalid_request_error")
        #expect(body["param"] as? String == "model")
        #expect(body["code"] as? String == "model_not_found")
        #expect(APIError.unknownModel("gpt-9").status == 404)
    }

    @Test func nullParamAndCodeAreWritten() throws {
        let body = try #require(try Wire.object(APIError.invalidRequest("bad"))["error"] as? [String: Any])
        #expect(body["param"] is NSNull && body["code"] is NSNull)
    }

    @Test func statuses() {
        #expect(APIError.invalidRequest("x").status == 400)
        #expect(APIError.authentication().status == 401 && APIError.authentication().type == "invalid_request_error")
        #expect(APIError.invalidAPIKey.code == "invalid_api_key" && APIError.missingAPIKey.status == 401)
        #expect(APIError.badGateway("x").status == 502 && APIError.gatewayTimeout("x").status == 504)
        #expect(APIError.notFound("/v1/nope").status == 404)
        #expect(APIError.requestTooLarge(limitBytes: 1_048_576).status == 413)
        #expect(APIError.requestTooLarge(limitBytes: 1_048_576).message.contains("1048576"))
        let limited = APIError.rateLimited(retryAfterSeconds: 7)
        #expect(limited.status == 429 && limited.code == "rate_limit_exceeded" && limited.retryAfterSeconds == 7)
        #expect(limited.type == "requests")
        #expect(APIError.internal().status == 500 && APIError.internal().type == "server_error")
        let busy = APIError.overloaded(retryAfterSeconds: 2)
        #expect(busy.status == 503 && busy.code == "overloaded" && busy.retryAfterSeconds == 2)
    }

    @Test func contextOverflowStatesBothNumbers() {
        let e = APIError.contextOverflow(promptTokens: 9000, limit: 8192)
        #expect(e.status == 400 && e.code == "context_length_exceeded" && e.param == "messages")
        #expect(e.message.contains("9000") && e.message.contains("8192"))
        let withOutput = APIError.contextOverflow(promptTokens: 8000, limit: 8192, maxTokens: 500, param: "prompt")
        #expect(withOutput.message.contains("8500") && withOutput.param == "prompt")
    }

    @Test func errorRoundTripsFromAnUpstream() throws {
        let json = #"{"error":{"message":"nope","type":"invalid_request_error","param":null,"code":null}}"#
        let e = try Wire.decode(APIError.self, json)
        #expect(e.message == "nope" && e.param == nil && e.code == nil)
    }

    @Test func sseFraming() throws {
        let chunk = ChatCompletionChunk.content("a\nb/c", id: "x", created: 1, model: "org/m")
        let event = ServerSentEvents.data(chunk)
        #expect(event.hasPrefix("data: {"))
        #expect(event.hasSuffix("}\n\n"))
        let payload = event.dropFirst("data: ".count).dropLast(2)
        #expect(!payload.contains("\n"), "one event must be one line")
        #expect(payload.contains(#""model":"org/m""#))
        let parsed = try Wire.object(json: String(payload))
        #expect(parsed["object"] as? String == "chat.completion.chunk")
        #expect(ServerSentEvents.done == "data: [DONE]\n\n")
    }

    @Test func sseErrorEvent() throws {
        let event = ServerSentEvents.error(.overloaded())
        #expect(event.hasPrefix("data: {\"error\":{") && event.hasSuffix("\n\n"))
        let parsed = try Wire.object(json: String(event.dropFirst(6).dropLast(2)))
        #expect((parsed["error"] as? [String: Any])?["code"] as? String == "overloaded")
    }

    /// Sorted keys stay off (and pretty printing, which would break SSE lines); the actual
    /// key order is Foundation's choice on Linux, so only the contents are compared.
    @Test func encoderConfiguration() throws {
        let options = WireJSON.makeEncoder().outputFormatting
        #expect(!options.contains(.sortedKeys) && !options.contains(.prettyPrinted) && options.contains(.withoutEscapingSlashes))
        let obj = try Wire.object(Usage(promptTokens: 1, completionTokens: 2))
        #expect(obj.count == 3 && obj["prompt_tokens"] as? Int == 1 && obj["completion_tokens"] as? Int == 2 && obj["total_tokens"] as? Int == 3)
    }
}
