import Foundation
import GGUF
import Kernels
@testable import Models
import TestSupport
import Testing
@testable import Training

/// LoRA gradients against central finite differences on tiny F32 models
/// (F32 weights take F32 activations, so the loss is smooth in A and B).
@Suite struct GradientCheckTests {
    static let tokens: [Int32] = [1, 5, 9, 2, 33, 7, 7, 20, 11, 3, 14]
    static var targets: [Int32] { Array(tokens.dropFirst()) + [-1] }

    static func setUp(_ builder: TinyModelBuilder, seed: UInt64 = 3) throws -> (TrainingPass, TrainableLoRA) {
        let file = try GGUFFile(bytes: try builder.build().encode())
        let model = try Transformer(file: file)
        let lora = TrainableLoRA(config: model.config, targets: LoRATarget.allCases, rank: 4, alpha: 8, seed: seed)
        // B starts at 0, which would make every dA zero: give it values.
        var rng = SplitMix64(seed: seed + 1)
        for s in lora.slots {
            for i in 0..<(s.outputs * s.rank) { lora.values[s.bOffset + i] = rng.uniform(-0.2, 0.2) }
        }
        return (TrainingPass(model: model, lora: lora, pool: ThreadPool(threads: 2)), lora)
    }

    static func loss(_ pass: TrainingPass) throws -> Double {
        try pass.loss(tokens: tokens, targets: targets).loss
    }

    /// Directional derivative along the gradient, and per-entry checks on the
    /// largest gradient entries of A and B. Tolerance: 2% relative.
    static func check(_ builder: TinyModelBuilder, dropout: Float = 0) throws {
        let (pass, lora) = try setUp(builder)
        pass.loraDropout = dropout
        pass.dropoutSeed = 99
        lora.zeroGradients()
        _ = try pass.accumulate(tokens: tokens, targets: targets, gradScale: 1)
        let n = lora.count
        let g = Array(UnsafeBufferPointer(start: lora.gradients, count: n))
        let norm = g.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
        #expect(norm > 1e-3)
        let base = Array(UnsafeBufferPointer(start: lora.values, count: n))
        func lossAt(_ shift: (Int) -> Float) throws -> Double {
            for i in 0..<n { lora.values[i] = base[i] + shift(i) }
            defer { for i in 0..<n { lora.values[i] = base[i] } }
            guard dropout > 0 else { return try loss(pass) }
            // The training loss under the same masks (evaluation never drops); gradScale 0 adds nothing.
            let saved = Array(UnsafeBufferPointer(start: lora.gradients, count: n))
            defer { for i in 0..<n { lora.gradients[i] = saved[i] } }
            return try pass.accumulate(tokens: tokens, targets: targets, gradScale: 0).loss
        }
        let eps: Float = 1e-2
        let plus = try lossAt { eps * g[$0] / Float(norm) }
        let minus = try lossAt { -eps * g[$0] / Float(norm) }
        let directional = (plus - minus) / Double(2 * eps)
        #expect(abs(directional - norm) <= 0.02 * norm, "directional \(directional) vs |g| \(norm)")

        // Largest entries in A and in B of some slots.
        for s in [lora.slots.first!, lora.slots[lora.slots.count / 2], lora.slots.last!] {
            for range in [s.offset..<(s.offset + s.aCount), s.bOffset..<(s.offset + s.count)] {
                guard let i = range.max(by: { abs(g[$0]) < abs(g[$1]) }), abs(g[i]) > 1e-4 else { continue }
                let h: Float = 5e-3
                let fd = (try lossAt { $0 == i ? h : 0 } - (try lossAt { $0 == i ? -h : 0 })) / Double(2 * h)
                #expect(abs(fd - Double(g[i])) <= 0.02 * abs(Double(g[i])) + 2e-4,
                        "\(s.target) layer \(s.layer) entry \(i): finite difference \(fd) vs gradient \(g[i])")
            }
        }
    }

    @Test func llama() throws { try Self.check(TinyModelBuilder()) }

    @Test func qwen2WithBiases() throws {
        var b = TinyModelBuilder()
        b.architecture = "qwen2"
        b.biases = true
        try Self.check(b)
    }

    @Test func gemma3() throws { try Self.check(TinyModelBuilder.gemma3()) }

    /// With LoRA dropout the gradients are those of the loss under the pass's masks,
    /// and the masks are the same in the forward pass, the backward pass and a recomputation.
    @Test func loraDropout() throws {
        try Self.check(TinyModelBuilder(), dropout: 0.3)
        try Self.check(TinyModelBuilder.gemma3(), dropout: 0.3)
        let (pass, lora) = try Self.setUp(TinyModelBuilder())
        pass.loraDropout = 0.3
        pass.dropoutSeed = 5
        func grads() throws -> [Float] {
            lora.zeroGradients()
            _ = try pass.accumulate(tokens: Self.tokens, targets: Self.targets, gradScale: 1)
            return Array(UnsafeBufferPointer(start: lora.gradients, count: lora.count))
        }
        let kept = try grads()
        pass.activationBudget = 0
        #expect(try grads() == kept)
        pass.dropoutSeed = 6
        #expect(try grads() != kept)   // other masks
        // Evaluation never drops: the loss equals the no-dropout loss.
        let evalWith = try Self.loss(pass)
        pass.loraDropout = 0
        #expect(try Self.loss(pass) == evalWith)
    }

    /// Recomputing layers in the backward pass gives the same gradients as keeping them.
    @Test func recomputationMatchesKeptActivations() throws {
        let (pass, lora) = try Self.setUp(TinyModelBuilder())
        lora.zeroGradients()
        _ = try pass.accumulate(tokens: Self.tokens, targets: Self.targets, gradScale: 1)
        let kept = Array(UnsafeBufferPointer(start: lora.gradients, count: lora.count))
        #expect(pass.recomputedLayers == 0)
        pass.activationBudget = 0
        lora.zeroGradients()
        _ = try pass.accumulate(tokens: Self.tokens, targets: Self.targets, gradScale: 1)
        let recomputed = Array(UnsafeBufferPointer(start: lora.gradients, count: lora.count))
        #expect(pass.recomputedLayers == 2)
        #expect(kept == recomputed)
    }

    /// The training forward computes the same loss as the inference forward
    /// running the exported adapter (exact numerics).
    @Test func trainingLossMatchesInferenceWithAdapter() throws {
        for builder in [TinyModelBuilder(), TinyModelBuilder.gemma3()] {
            let file = try GGUFFile(bytes: try builder.build().encode())
            let (pass, lora) = try Self.setUp(builder)
            let trainLoss = try Self.loss(pass)
            let adapter = lora.adapter(name: "t", architecture: file.architecture!, baseModelName: nil)
            let stack = try AdapterStack([(adapter, 1)], file: file, config: pass.model.config)
            let model = try Transformer(file: file, numerics: .exact)
            let logits = try model.forward(Self.tokens, cache: model.makeCache(capacity: 32), pool: ThreadPool(threads: 2),
                                           logits: .all, adapters: stack)
            let v = model.config.vocabulary
            var nll = 0.0
            for (t, target) in Self.targets.enumerated() where target >= 0 {
                let row = logits[(t * v)..<((t + 1) * v)].map(Double.init)
                let m = row.max()!
                nll += log(row.reduce(0) { $0 + exp($1 - m) }) + m - row[Int(target)]
            }
            #expect(abs(nll - trainLoss) < 1e-3 * abs(nll), "\(file.architecture!): inference \(nll) vs training \(trainLoss)")
        }
    }
}

/// The int8 backward product (Wᵀ as Q8_0, dY quantized per block) gives nearly
/// the gradients of the float path on quantized weights.
@Suite struct Int8BackwardTests {
    @Test func int8GradientsFollowTheFloatOnes() throws {
        var b = TinyModelBuilder()
        b.matrixType = .q8_0
        let (pass, lora) = try GradientCheckTests.setUp(b)
        func gradients(_ mode: TrainingPass.BackwardProduct) throws -> [Float] {
            pass.backwardProduct = mode
            lora.zeroGradients()
            _ = try pass.accumulate(tokens: GradientCheckTests.tokens, targets: GradientCheckTests.targets, gradScale: 1)
            return Array(UnsafeBufferPointer(start: lora.gradients, count: lora.count))
        }
        let exact = try gradients(.float)
        let fast = try gradients(.int8)
        #expect(pass.transposedBytes > 0)
        var dot = 0.0, na = 0.0, nb = 0.0
        for i in exact.indices {
            dot += Double(exact[i]) * Double(fast[i])
            na += Double(exact[i]) * Double(exact[i])
            nb += Double(fast[i]) * Double(fast[i])
        }
        let cosine = dot / (na * nb).squareRoot()
        #expect(cosine > 0.999, "cosine \(cosine)")
        #expect(exact != fast)
    }
}
