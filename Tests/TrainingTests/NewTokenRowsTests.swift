import Foundation
import GGUF
import Kernels
@testable import Models
import TestSupport
import Testing
@testable import Training

/// `--train-embeddings new`: the rows of added tokens trained in full, with LoRA, checked
/// against central finite differences on tiny F32 models, tied and untied.
@Suite struct NewTokenRowsTests {
    /// Ids 30...39 stand for the added tokens; the sequence uses them as inputs and targets.
    static let first = 30
    static let tokens: [Int32] = [1, 31, 9, 2, 33, 7, 39, 30, 11, 31, 14]
    static var targets: [Int32] { Array(tokens.dropFirst()) + [-1] }

    static func setUp(untied: Bool, gemma: Bool = false) throws -> (TrainingPass, TrainableLoRA, Transformer) {
        var b = gemma ? TinyModelBuilder.gemma3() : TinyModelBuilder()
        b.untiedOutput = untied
        let model = try Transformer(file: try GGUFFile(bytes: try b.build().encode()))
        let lora = TrainableLoRA(config: model.config, targets: LoRATarget.allCases, rank: 4, alpha: 8, seed: 3,
                                 newTokens: Trainer.newTokenRows(model, from: first))
        var rng = SplitMix64(seed: 4)
        for s in lora.slots {
            for i in 0..<(s.outputs * s.rank) { lora.values[s.bOffset + i] = rng.uniform(-0.2, 0.2) }
        }
        return (TrainingPass(model: model, lora: lora, pool: ThreadPool(threads: 2)), lora, model)
    }

    @Test(arguments: [false, true])
    func layoutAndInitialValues(untied: Bool) throws {
        let (_, lora, model) = try Self.setUp(untied: untied)
        let r = try #require(lora.newTokenRows)
        #expect(r.first == 30 && r.count == 10 && r.width == model.config.embedding)
        #expect(r.tied == !untied)
        #expect(lora.count == lora.slots.last!.offset + lora.slots.last!.count + r.count * r.width * (untied ? 2 : 1))
        // Row 33 starts as the file's row 33.
        var row = [Float](repeating: 0, count: r.width)
        row.withUnsafeMutableBufferPointer {
            Dequantize.row(model.weights.tokenEmbedding.type, model.weights.tokenEmbedding.row(33), $0.baseAddress!, count: r.width)
        }
        let values = try #require(lora.newTokenValues())
        #expect(Array(values.input[(3 * r.width)..<(4 * r.width)]) == row)
        #expect((values.output != nil) == untied)
    }

    /// With the rows at their initial values the loss is the frozen model's (up to the float
    /// product's rounding), and moving a new row moves it.
    @Test func initialLossIsTheModelsAndRowsMatter() throws {
        let (pass, lora, model) = try Self.setUp(untied: false)
        let plain = TrainingPass(model: model, lora: TrainableLoRA(config: model.config, targets: LoRATarget.allCases, rank: 4,
                                                                    alpha: 8, seed: 3), pool: ThreadPool(threads: 1))
        plain.lora.restore(Array(lora.valueSnapshot.prefix(plain.lora.count)))
        let a = try pass.loss(tokens: Self.tokens, targets: Self.targets).loss
        let b = try plain.loss(tokens: Self.tokens, targets: Self.targets).loss
        #expect(abs(a - b) <= 1e-4 * abs(b), "\(a) vs \(b)")
        lora.values[lora.newTokenRows!.inputOffset + 5] += 0.5
        #expect(try pass.loss(tokens: Self.tokens, targets: Self.targets).loss != a)
    }

    @Test(arguments: [(false, false), (true, false), (false, true)])
    func gradientsMatchFiniteDifferences(untied: Bool, gemma: Bool) throws {
        let (pass, lora, _) = try Self.setUp(untied: untied, gemma: gemma)
        let r = try #require(lora.newTokenRows)
        lora.zeroGradients()
        _ = try pass.accumulate(tokens: Self.tokens, targets: Self.targets, gradScale: 1)
        let g = Array(UnsafeBufferPointer(start: lora.gradients, count: lora.count))
        func lossAt(_ i: Int, _ h: Float) throws -> Double {
            let saved = lora.values[i]
            lora.values[i] = saved + h
            defer { lora.values[i] = saved }
            return try pass.loss(tokens: Self.tokens, targets: Self.targets).loss
        }
        let n = r.count * r.width
        var regions = [r.inputOffset..<(r.inputOffset + n)]
        if !r.tied { regions.append(r.outputOffset..<(r.outputOffset + n)) }
        // Rows of tokens that never occur get no gradient through the input (only through the softmax).
        for region in regions {
            let order = region.sorted { abs(g[$0]) > abs(g[$1]) }
            #expect(abs(g[order[0]]) > 1e-3)
            for i in order.prefix(4) {
                let h: Float = 5e-3
                let fd = (try lossAt(i, h) - (try lossAt(i, -h))) / Double(2 * h)
                #expect(abs(fd - Double(g[i])) <= 0.02 * abs(Double(g[i])) + 2e-4,
                        "entry \(i - region.lowerBound) of the \(region.lowerBound == r.inputOffset ? "input" : "output") rows: finite difference \(fd) vs gradient \(g[i])")
            }
        }
        // A row whose token is neither an input nor a target still gets the softmax's gradient
        // through the output (tied: the same row); one used as input gets more.
        let row36 = r.inputOffset + 6 * r.width
        let row31 = r.inputOffset + 1 * r.width
        let norm = { (o: Int) in (o..<(o + r.width)).reduce(0) { $0 + Double(g[$1]) * Double(g[$1]) } }
        if r.tied { #expect(norm(row36) > 0) } else { #expect(norm(row36) == 0) }
        #expect(norm(row31) > norm(row36))
    }
}
