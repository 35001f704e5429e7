import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Server

/// `/v1/embeddings` shapes and refusals on the tiny model.
@Suite struct EmbeddingsRouteTests {
    static func object(_ b: ByteBuffer) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: b)) as? [String: Any])
    }

    func post(_ body: String, _ check: @escaping @Sendable (TestResponse) async throws -> Void) async throws {
        try await TestServer.app().test(.router) { client in
            try await client.execute(uri: "/v1/embeddings", method: .post, body: ByteBuffer(string: body)) { try await check($0) }
        }
    }

    @Test func floatsAndBase64AreTheSameVector() async throws {
        try await TestServer.app().test(.router) { client in
            var floats: [Double] = []
            try await client.execute(uri: "/v1/embeddings", method: .post,
                                     body: ByteBuffer(string: #"{"model":"tiny","input":["сәлем","hello"]}"#)) { response in
                #expect(response.status == .ok)
                let json = try Self.object(response.body)
                #expect(json["object"] as? String == "list")
                let data = try #require(json["data"] as? [[String: Any]])
                #expect(data.map { $0["index"] as? Int } == [0, 1])
                #expect(data.allSatisfy { $0["object"] as? String == "embedding" })
                floats = try #require(data[0]["embedding"] as? [Double])
                #expect(floats.count == TestServer.tinyModel?.transformer.config.embedding)
                #expect(abs(floats.reduce(0) { $0 + $1 * $1 } - 1) < 1e-4)
                #expect(floats != (data[1]["embedding"] as? [Double]))
            }
            try await client.execute(uri: "/v1/embeddings", method: .post,
                                     body: ByteBuffer(string: #"{"model":"tiny","input":"сәлем","encoding_format":"base64"}"#)) { response in
                let data = try #require(try Self.object(response.body)["data"] as? [[String: Any]])
                let text = try #require(data[0]["embedding"] as? String)
                let bytes = [UInt8](try #require(Data(base64Encoded: text)))
                #expect(bytes.count == floats.count * 4)
                let decoded = (0..<floats.count).map { i in
                    Double(Float(bitPattern: UInt32(bytes[4 * i]) | UInt32(bytes[4 * i + 1]) << 8 | UInt32(bytes[4 * i + 2]) << 16 | UInt32(bytes[4 * i + 3]) << 24))
                }
                #expect(zip(decoded, floats).allSatisfy { abs($0 - $1) < 1e-6 })
            }
        }
    }

    @Test(arguments: [
        (#"{"model":"tiny","input":""}"#, "input"),
        (#"{"model":"tiny","input":[]}"#, "input"),
        (#"{"model":"tiny","input":[[]]}"#, "input"),
        (#"{"model":"tiny","input":[999999999]}"#, "input"),
        (#"{"model":"tiny","input":[-1]}"#, "input"),
        (#"{"model":"tiny","input":"x","encoding_format":"int8"}"#, "encoding_format"),
        (#"{"model":"tiny","input":"x","dimensions":8}"#, "dimensions"),
        (#"{"model":"tiny","input":"x","dimensions":0}"#, "dimensions"),
        (#"{"model":"tiny","input":{"a":1}}"#, nil),
    ])
    func badRequestsAre400(_ body: String, _ param: String?) async throws {
        try await post(body) { response in
            #expect(response.status == .badRequest)
            let error = try #require(try Self.object(response.body)["error"] as? [String: Any])
            if let param { #expect(error["param"] as? String == param, "\(error)") }
        }
    }

    @Test func unknownModelIs404() async throws {
        try await post(#"{"model":"nope","input":"x"}"#) { response in
            #expect(response.status == .notFound)
        }
    }

    @Test func tooLongInputIsRefused() async throws {
        let long = Array(repeating: 5, count: 200)  // the test server's context is 128
        try await post(#"{"model":"tiny","input":\#(long)}"#) { response in
            #expect(response.status == .badRequest)
        }
    }
}
