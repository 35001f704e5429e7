import Foundation
import GGUF
import Kernels
import Models
import Testing
import TestSupport
@testable import Training

/// The float backward path against PyTorch + PEFT on the real SmolLM2: the LoRA
/// gradients of one training step from a trained adapter (B is not zero, so A's
/// gradients are exercised too). The fixture comes from
/// `scripts/lora_sidebyside --gradient-fixture` (command in Tests/Fixtures/lora-gradient/README.md).
@Suite struct PyTorchGradientFixtureTests {
    struct Fixture: Decodable {
        var loss: Double
        var scored_tokens: Int
        var examples: [TrainingExample]
        /// "LAYER.TARGET.A|B" → PyTorch's gradient, row-major like LoRAPair.
        var gradients: [String: [Float]]
    }

    @Test func floatBackwardMatchesPyTorch() throws {
        let dir = FixturePaths.fixture("lora-gradient")
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: dir.appendingPathComponent("gradients.json")))
        let adapter = try LoRAAdapter(path: dir.appendingPathComponent("adapter.gguf").path)
        let model = try Transformer(file: GGUFFile(path: FixturePaths.model("smollm2-135m")))
        let lora = TrainableLoRA(config: model.config, targets: adapter.targets, rank: adapter.rank, alpha: adapter.alpha, seed: 0)
        try lora.setValues(from: adapter)
        let pass = TrainingPass(model: model, lora: lora, pool: ThreadPool(threads: 2))
        pass.backwardProduct = .float
        lora.zeroGradients()
        var loss = 0.0
        for ex in fixture.examples {
            loss += try pass.accumulate(tokens: ex.tokens, targets: ex.targets, gradScale: 1 / Float(fixture.scored_tokens)).loss
        }
        loss /= Double(fixture.scored_tokens)
        // PyTorch runs the dequantized weights in F32; Aqyl's forward quantizes activations to 8 bits, as llama.cpp does.
        #expect(abs(loss - fixture.loss) < 0.05, "loss \(loss) vs PyTorch \(fixture.loss)")
        #expect(fixture.gradients.count >= 10)
        var worst = (cosine: 1.0, key: "")
        for (key, expected) in fixture.gradients {
            let parts = key.split(separator: ".")
            let layer = Int(parts[0])!, target = LoRATarget(rawValue: String(parts[1]))!, isA = parts[2] == "A"
            let slot = try #require(lora.slots.first { $0.layer == layer && $0.target == target })
            let start = isA ? slot.offset : slot.bOffset
            let count = isA ? slot.aCount : slot.outputs * slot.rank
            try #require(count == expected.count, "\(key): \(count) values vs PyTorch's \(expected.count)")
            var dot = 0.0, na = 0.0, nb = 0.0
            for i in 0..<count {
                let a = Double(lora.gradients[start + i]), b = Double(expected[i])
                dot += a * b; na += a * a; nb += b * b
            }
            let cosine = dot / (na * nb).squareRoot()
            let normRatio = (na / nb).squareRoot()
            // Measured 2026-12-05: cosine 0.985–0.999, norms within 7.3%, loss 0.037 nats apart.
            // PyTorch's forward is F32 on the dequantized weights; Aqyl's quantizes activations
            // to 8 bits (as llama.cpp's CPU backend does), which moves every gradient a little.
            // A wrong product, transpose or scale lands far below these bounds.
            #expect(cosine > 0.98, "\(key): cosine \(cosine)")
            #expect(abs(normRatio - 1) < 0.1, "\(key): norm ratio \(normRatio)")
            if cosine < worst.cosine { worst = (cosine, key) }
        }
        print("float backward vs PyTorch: loss \(loss) vs \(fixture.loss), worst cosine \(worst.cosine) (\(worst.key)) over \(fixture.gradients.count) tensors")
    }
}
