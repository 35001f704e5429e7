import Foundation
import GGUF
import Kernels
import Models
import Testing
import TestSupport
import Tokenizers
@testable import Training

/// The int8 backward product against the float one on the real models, at the size
/// gradients have in a training step. The tiny model's test (`Int8BackwardTests`)
/// ran at gradient scale 1, where nothing was lost; at the trainer's 1/tokens the Q8_0
/// block scales of dY fell into fp16's subnormal range and Gemma-3's LoRA gradients
/// kept a cosine of only 0.92 to the float ones, 9% of their signs flipped, and the
/// default trainer lost most of its held-out gain (issue 18 §3).
@Suite struct Int8BackwardRealModelTests {
    struct Agreement: CustomStringConvertible {
        var cosine: Double
        /// Fraction of nonzero float-path coordinates whose sign the int8 path flips
        /// (Adam's first step on a coordinate is its sign).
        var signFlips: Double
        var description: String { String(format: "cosine %.5f, sign flips %.4f", cosine, signFlips) }
    }

    static func agreement(_ exact: [Float], _ fast: [Float]) -> Agreement {
        var dot = 0.0, na = 0.0, nb = 0.0, flips = 0, nonzero = 0
        for i in exact.indices {
            let a = Double(exact[i]), b = Double(fast[i])
            dot += a * b; na += a * a; nb += b * b
            if a != 0 { nonzero += 1; if (a > 0) != (b > 0) { flips += 1 } }
        }
        return Agreement(cosine: dot / (na * nb).squareRoot(), signFlips: Double(flips) / Double(max(nonzero, 1)))
    }

    /// All LoRA gradients of one 64-token window of Kazakh text, B set to the size a few steps give it.
    static func gradients(model name: String, gradScale: Float, modes: [TrainingPass.BackwardProduct]) throws -> [[Float]] {
        let file = try GGUFFile(path: FixturePaths.model(name))
        let model = try Transformer(file: file)
        let tokenizer = try TokenizerFactory.load(from: file)
        let text = try String(contentsOf: FixturePaths.fixture("text/kk_sample.txt"), encoding: .utf8)
        let tokens = Array(tokenizer.encode(text, addSpecial: true, parseSpecial: false).prefix(65))
        let input = Array(tokens.dropLast()), targets = Array(tokens.dropFirst())
        let lora = TrainableLoRA(config: model.config, targets: LoRATarget.allCases, rank: 8, alpha: 16, seed: 7)
        var rng = SplitMix64(seed: 11)
        for s in lora.slots { for i in 0..<(s.outputs * s.rank) { lora.values[s.bOffset + i] = rng.uniform(-0.01, 0.01) } }
        lora.refreshTransposes()
        let pass = TrainingPass(model: model, lora: lora, pool: ThreadPool(threads: 2))
        return try modes.map { mode in
            pass.backwardProduct = mode
            lora.zeroGradients()
            _ = try pass.accumulate(tokens: input, targets: targets, gradScale: gradScale)
            return Array(UnsafeBufferPointer(start: lora.gradients, count: lora.count))
        }
    }

    @Test(arguments: ["smollm2-135m", "gemma3-270m"])
    func int8GradientsFollowTheFloatOnesAtTrainingScale(model: String) throws {
        // 1/64: the trainer's 1/scored-tokens for this window; 1/4096: a long batch.
        for scale: Float in [1, 1.0 / 64, 1.0 / 4096] {
            let g = try Self.gradients(model: model, gradScale: scale, modes: [.float, .int8])
            let a = Self.agreement(g[0], g[1])
            print("\(model), gradient scale \(scale): int8 vs float \(a)")
            #expect(a.cosine > 0.999, "\(model), scale \(scale): \(a)")
            #expect(a.signFlips < 0.02, "\(model), scale \(scale): \(a)")
        }
    }

    @Test func lossScaleIsAPowerOfTwoThatRestoresExactly() {
        var row: [Float] = [3e-9, -7.5e-7, 1e-12, 0, .leastNonzeroMagnitude]
        let s = row.withUnsafeBufferPointer { TrainingPass.lossScale($0.baseAddress!, count: $0.count) }
        #expect(s.significand == 1)
        #expect((7.5e-7 * s) >= 32768 && (7.5e-7 * s) < 65536)
        let before = row
        row = row.map { $0 * s }.map { $0 * (1 / s) }
        #expect(row == before)
        let zeros: [Float] = [0, 0]
        #expect(zeros.withUnsafeBufferPointer { TrainingPass.lossScale($0.baseAddress!, count: 2) } == 1)
        let huge: [Float] = [3e38, .infinity]
        #expect(huge.withUnsafeBufferPointer { TrainingPass.lossScale($0.baseAddress!, count: 2) } == 1)
    }
}
