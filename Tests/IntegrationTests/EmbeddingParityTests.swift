import Engine
import Foundation
import Hummingbird
import HummingbirdTesting
import Server
import Testing
import TestSupport

/// `/v1/embeddings` on the real models against llama.cpp's own embeddings of the same
/// texts with the same pooling (scripts/make_embedding_fixtures.py: llama-cpp-python
/// 0.3.36, `embedding=True`, `embed(normalize=True)`): the same tokens, cosine ≥ 0.999.
@Suite(.serialized) struct EmbeddingParityTests {
    struct Golden: Decodable {
        struct Pooled: Decodable {
            var tokens: [[Int]]
            var vectors: [[Double]]
        }
        var texts: [String]
        var pooling: [String: Pooled]
    }

    static func cosine(_ a: [Double], _ b: [Double]) -> Double {
        var dot = 0.0, na = 0.0, nb = 0.0
        for (x, y) in zip(a, b) { dot += x * y; na += x * x; nb += y * y }
        return dot / (na * nb).squareRoot()
    }

    @Test(arguments: ["smollm2-135m", "gemma3-270m", "qwen2.5-coder-0.5b"])
    func vectorsMatchLlamaCpp(model name: String) async throws {
        let golden = try JSONDecoder().decode(Golden.self, from: Data(contentsOf: FixturePaths.fixture("embeddings/\(name).json")))
        let model = try LoadedModel(path: FixturePaths.model(name))
        for (poolingName, expected) in golden.pooling.sorted(by: { $0.key < $1.key }) {
            let pooling = try #require(EmbeddingPooling(rawValue: poolingName))
            var config = ServerConfiguration()
            config.threads = 2
            config.context = 512
            config.embeddingPooling = pooling
            config.dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-it-\(UUID().uuidString)")
            let app = try await buildApplication(configuration: config, models: [ModelEntry(id: name, model: model)])
            try await app.test(.router) { client in
                // All texts in one request: the inputs are batched by the scheduler.
                let body = try JSONSerialization.data(withJSONObject: ["model": name, "input": golden.texts])
                try await client.execute(uri: "/v1/embeddings", method: .post, body: ByteBuffer(data: body)) { response in
                    #expect(response.status == .ok)
                    let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                    let data = try #require(json["data"] as? [[String: Any]])
                    #expect(data.count == golden.texts.count)
                    let usage = try #require(json["usage"] as? [String: Any])
                    #expect(usage["prompt_tokens"] as? Int == expected.tokens.reduce(0) { $0 + $1.count })
                    for (i, item) in data.enumerated() {
                        #expect(item["index"] as? Int == i)
                        let vector = try #require(item["embedding"] as? [Double])
                        let cos = Self.cosine(vector, expected.vectors[i])
                        print("\(name) \(poolingName) text \(i): cosine \(cos)")
                        #expect(cos >= 0.999, "\(name) \(poolingName) text \(i): cosine \(cos)")
                        let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
                        #expect(abs(norm - 1) < 1e-4)
                    }
                }
                // Token-id input gives the same vector as the text it came from.
                let ids = try JSONSerialization.data(withJSONObject: ["model": name, "input": [expected.tokens[0]]])
                try await client.execute(uri: "/v1/embeddings", method: .post, body: ByteBuffer(data: ids)) { response in
                    let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                    let vector = try #require(((json["data"] as? [[String: Any]])?.first)?["embedding"] as? [Double])
                    #expect(Self.cosine(vector, expected.vectors[0]) >= 0.999)
                }
            }
        }
    }
}
