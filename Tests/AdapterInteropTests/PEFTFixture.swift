import Foundation
import GGUF
import Kernels
import Models
import TestSupport

/// The committed golden files of scripts/make_peft_fixtures.py (Tests/Fixtures/peft).
enum PEFTFixture {
    struct Case: Decodable {
        let tokens: [Int32]
        /// (positions, vocab) from the Hugging Face-convention numpy forward pass.
        let base: [[Float]]
        let adapted: [[Float]]
    }

    struct Golden: Decodable {
        let cases: [Case]
    }

    /// Largest |logit - golden| allowed (logits are of order 1–5): numpy
    /// computes in float64, the engine in float32 with ggml's RoPE tables, over
    /// 2 layers of width 32; measured ≈ 1e-6.
    static let logitTolerance: Float = 1e-4

    static var model: String { FixturePaths.fixture("peft/tiny-llama.gguf").path }
    static var adapterDirectory: String { FixturePaths.fixture("peft/adapter").path }

    static func golden() throws -> Golden {
        try JSONDecoder().decode(Golden.self, from: Data(contentsOf: FixturePaths.fixture("peft/logits.json")))
    }

    /// Every position's logits (positions × vocab) of `file` with the adapters applied.
    static func logits(_ file: GGUFFile, tokens: [Int32], adapters: [(adapter: LoRAAdapter, scale: Float)] = []) throws -> [Float] {
        let model = try Transformer(file: file, kernels: .vecDot, numerics: .exact)
        let stack = adapters.isEmpty ? nil : try AdapterStack(adapters, file: file, config: model.config)
        return try model.forward(tokens, cache: model.makeCache(capacity: 16), pool: ThreadPool(threads: 1),
                                 logits: .all, adapters: stack)
    }

    static func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count, "maxDifference: lengths \(a.count) and \(b.count)")
        return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }

    /// ‖a − b‖ / ‖b‖.
    static func relativeError(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count, "relativeError: lengths \(a.count) and \(b.count)")
        var num: Float = 0, den: Float = 0
        for (x, y) in zip(a, b) { num += (x - y) * (x - y); den += y * y }
        return (num / max(den, 1e-20)).squareRoot()
    }
}
