import Engine
import Foundation
import Hummingbird
import HummingbirdTesting
import Server
import Testing
import TestSupport

/// `/v1/completions` echo + logprobs on real models, against llama.cpp's
/// log-softmax of the same prompt (scripts/make_logprob_fixtures.py): the
/// numbers lm-evaluation-harness sums for log-likelihood tasks.
@Suite struct RealModelScoringTests {
    struct Golden: Decodable {
        struct Case: Decodable {
            var prompt: String
            var prompt_ids: [Int]
            var token_logprobs: [Double?]
            var next_id: Int
            var next_logprob: Double
        }
        var cases: [Case]
    }

    /// Logprob tolerance in nats. The logits are bit-identical to llama.cpp for
    /// these models (docs/parity.md); the slack covers the log-sum-exp order.
    static let tolerance = 2e-3

    @Test(arguments: ["smollm2-135m", "qwen2.5-coder-0.5b"])
    func echoLogprobsMatchLlamaCpp(model name: String) async throws {
        let golden = try JSONDecoder().decode(Golden.self, from: Data(contentsOf: FixturePaths.fixture("\(name)/prompt_logprobs.json")))
        let model = try LoadedModel(path: FixturePaths.model(name))
        var config = ServerConfiguration()
        config.threads = 2
        config.context = 512
        config.dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-it-\(UUID().uuidString)")
        let app = try await buildApplication(configuration: config, models: [ModelEntry(id: name, model: model)])
        try await app.test(.router) { client in
            // The whole batch in one request, as lm-eval sends it.
            let prompts = golden.cases.map(\.prompt_ids)
            let body: [String: Any] = ["model": name, "prompt": prompts, "max_tokens": 1, "logprobs": 1, "echo": true,
                                       "temperature": 0, "seed": 1234]
            let data = try JSONSerialization.data(withJSONObject: body)
            try await client.execute(uri: "/v1/completions", method: .post, body: ByteBuffer(data: data)) { response in
                #expect(response.status == .ok)
                let o = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                let choices = try #require(o["choices"] as? [[String: Any]])
                #expect(choices.count == golden.cases.count)
                var worst = 0.0
                for (choice, c) in zip(choices, golden.cases) {
                    let lp = try #require(choice["logprobs"] as? [String: Any])
                    let values = try #require(lp["token_logprobs"] as? [Any])
                    #expect(values.count == c.prompt_ids.count + 1, "\(c.prompt)")
                    #expect(values.first is NSNull)
                    for (i, expected) in c.token_logprobs.enumerated().dropFirst() {
                        let got = try #require(values[i] as? Double)
                        worst = max(worst, abs(got - (expected ?? 0)))
                    }
                    // The generated token is llama.cpp's greedy choice, with its logprob.
                    let last = try #require(values.last as? Double)
                    worst = max(worst, abs(last - c.next_logprob))
                    // lm-eval's is_greedy: each top_logprobs entry's best equals the token.
                    let tops = try #require(lp["top_logprobs"] as? [Any])
                    #expect((tops.last as? [String: Double])?.count == 1)
                }
                print("\(name): worst |logprob − llama.cpp| = \(worst) nats over \(golden.cases.count) prompts")
                #expect(worst < Self.tolerance)
            }
        }
    }
}
