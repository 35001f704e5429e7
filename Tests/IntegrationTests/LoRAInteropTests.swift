import Engine
import Foundation
import Hummingbird
import HummingbirdTesting
import Kernels
import Models
import Server
import Testing
import TestSupport

/// An adapter trained by `aqyl finetune` and loaded into llama.cpp with
/// `lora_path` (scripts/make_lora_fixtures.py) gives the same prompt logprobs
/// in Aqyl: the GGUF LoRA format and the scale rule interoperate. Served the
/// vLLM way: the adapter is its own model id with `parent`, next to the base.
@Suite struct LoRAInteropTests {
    struct Golden: Decodable {
        struct Case: Decodable {
            var prompt: String
            var prompt_ids: [Int]
            var token_logprobs: [Double?]
            var base_token_logprobs: [Double?]
            var next_id: Int
            var next_logprob: Double
        }
        var cases: [Case]
    }

    /// Nats. The base logits are bit-identical to llama.cpp; the LoRA term
    /// A·x sums in another order than ggml, which a fixture adapter of ordinary
    /// size absorbs (measured: 1.5e-6 nats). An extreme one (4 nats of effect)
    /// amplifies the last-bit differences through 8-bit activation rounding to 0.3 nats.
    static let tolerance = 2e-2

    static func logprobs(_ client: some TestClientProtocol, model: String, prompts: [[Int]]) async throws -> [[Double?]] {
        let body: [String: Any] = ["model": model, "prompt": prompts, "max_tokens": 1, "logprobs": 1, "echo": true, "temperature": 0]
        return try await client.execute(uri: "/v1/completions", method: .post,
                                        body: ByteBuffer(data: try JSONSerialization.data(withJSONObject: body))) { response in
            #expect(response.status == .ok)
            let o = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
            let choices = try #require(o["choices"] as? [[String: Any]])
            return try choices.map { choice in
                let lp = try #require(choice["logprobs"] as? [String: Any])
                return try #require(lp["token_logprobs"] as? [Any]).map { $0 as? Double }
            }
        }
    }

    @Test func adapterMatchesLlamaCppAndServesBesideItsBase() async throws {
        let golden = try JSONDecoder().decode(Golden.self, from: Data(contentsOf: FixturePaths.fixture("lora/smollm2-kk-r1.json")))
        let model = try LoadedModel(path: FixturePaths.model("smollm2-135m"))
        let adapter = try LoRAAdapter(path: FixturePaths.fixture("lora/smollm2-kk-r1.gguf").path)
        #expect(adapter.rank == 1)
        let stack = try AdapterStack([(adapter, 1)], file: model.file, config: model.config)
        var config = ServerConfiguration()
        config.threads = 2
        config.context = 512
        config.dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-it-\(UUID().uuidString)")
        let app = try await buildApplication(configuration: config, models: [ModelEntry(id: "smollm2-135m", model: model,
                                                                                  adapters: [("kk", stack)])])
        try await app.test(.router) { client in
            try await client.execute(uri: "/v1/models", method: .get) { response in
                let o = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                let data = try #require(o["data"] as? [[String: Any]])
                #expect(data.map { $0["id"] as? String } == ["smollm2-135m", "kk"])
                #expect(data.last?["parent"] as? String == "smollm2-135m")
                #expect(data.first?["parent"] == nil || data.first?["parent"] is NSNull)
            }
            let prompts = golden.cases.map(\.prompt_ids)
            // Both models at once: they share one scheduler and its batches.
            async let adapted = Self.logprobs(client, model: "kk", prompts: prompts)
            async let plain = Self.logprobs(client, model: "smollm2-135m", prompts: prompts)
            let (withLoRA, base) = try await (adapted, plain)
            var worst = 0.0, worstBase = 0.0, effect = 0.0
            for (i, c) in golden.cases.enumerated() {
                #expect(withLoRA[i].count == c.prompt_ids.count + 1)
                for j in 1..<c.prompt_ids.count {
                    worst = max(worst, abs((withLoRA[i][j] ?? 0) - (c.token_logprobs[j] ?? 0)))
                    worstBase = max(worstBase, abs((base[i][j] ?? 0) - (c.base_token_logprobs[j] ?? 0)))
                    effect = max(effect, abs((c.token_logprobs[j] ?? 0) - (c.base_token_logprobs[j] ?? 0)))
                }
                let last = withLoRA[i].last.flatMap { $0 } ?? 0
                worst = max(worst, abs(last - c.next_logprob))
            }
            print("LoRA interop: worst |logprob − llama.cpp| = \(worst) nats with the adapter, \(worstBase) without; adapter effect up to \(effect) nats")
            #expect(worst < Self.tolerance)
            #expect(worstBase < 2e-3)
            // The check could fail: the adapter moves logprobs far more than the tolerance.
            #expect(effect > 50 * Self.tolerance)
        }
    }
}
