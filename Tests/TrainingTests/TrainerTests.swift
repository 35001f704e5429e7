import Foundation
import GGUF
import Kernels
@testable import Models
import TestSupport
import Testing
@testable import Training

@Suite struct TrainerTests {
    static func model(seed: UInt64 = 1) throws -> Transformer {
        var b = TinyModelBuilder()
        b.seed = seed
        return try Transformer(file: try GGUFFile(bytes: try b.build().encode()))
    }

    static func dataset(_ sequences: [[Int32]]) -> TrainingDataset {
        TrainingDataset(path: "mem", format: .text,
                        examples: sequences.map { TrainingExample(tokens: Array($0.dropLast()), targets: Array($0.dropFirst())) },
                        issues: [], truncated: 0)
    }

    static let text: [[Int32]] = [
        [1, 5, 9, 2, 33, 7, 7, 20, 11, 3, 14, 15, 9, 26, 5, 35],
        [8, 9, 7, 9, 3, 2, 38, 4, 6, 26, 4, 33, 8, 32, 7, 9],
        [5, 0, 2, 8, 8, 4, 19, 7, 16, 9, 39, 9, 37, 5, 10, 5],
    ]

    static func options(steps: Int) -> TrainingOptions {
        var o = TrainingOptions()
        o.rank = 8
        o.steps = steps
        o.learningRate = 1e-2
        o.schedule = .constant
        o.context = 16
        o.seed = 7
        return o
    }

    /// A tiny model memorizes a tiny text: the loss goes to about 0.
    @Test func overfitsTinyText() throws {
        let trainer = Trainer(model: try Self.model(), options: Self.options(steps: 120), train: Self.dataset(Self.text),
                              eval: Self.dataset(Self.text), threads: 2, baseModel: "tiny")
        let report = try trainer.run()
        let first = report.history.first!.loss
        #expect(first > 3)
        #expect(report.evalLossAfter! < 0.05, "eval loss \(report.evalLossAfter!) after 120 steps (start \(first))")
        // Constant-rate Adam bounces a little; the recent steps are low.
        let recent = report.history.suffix(10).map(\.loss).sorted()
        #expect(recent[5] < 0.5, "recent train losses \(recent)")
    }

    static func values(_ t: Trainer) -> [Float] {
        Array(UnsafeBufferPointer(start: t.pass.lora.values, count: t.pass.lora.count))
    }

    /// Same seed, same threads → the same adapter, bit for bit; and a run that
    /// stops at a checkpoint and resumes ends exactly where the straight run does.
    @Test func deterministicAndResumable() throws {
        var o = Self.options(steps: 6)
        o.schedule = .cosine
        o.warmup = 2
        o.weightDecay = 0.01
        let data = Self.dataset(Self.text + Self.text.map { $0.reversed() })
        let straight = Trainer(model: try Self.model(), options: o, train: data, eval: nil, threads: 2, baseModel: "tiny")
        _ = try straight.run()
        let again = Trainer(model: try Self.model(), options: o, train: data, eval: nil, threads: 2, baseModel: "tiny")
        _ = try again.run()
        #expect(Self.values(straight) == Self.values(again))

        // Stop after 3 steps by checkpointing every 3 and throwing away the rest.
        o.checkpointEvery = 3
        let path = NSTemporaryPath("resume.ckpt.gguf")
        let first = Trainer(model: try Self.model(), options: o, train: data, eval: nil, threads: 2, baseModel: "tiny")
        struct Stop: Error {}
        #expect(throws: Stop.self) {
            _ = try first.run(checkpoint: { c in
                try c.write(to: path)
                if c.state.step == 3 { throw Stop() }
            })
        }
        let resumed = Trainer(model: try Self.model(), options: o, train: data, eval: nil, threads: 2, baseModel: "tiny")
        let checkpoint = try TrainingCheckpoint(path: path)
        #expect(checkpoint.state.step == 3)
        let report = try resumed.run(resume: checkpoint)
        #expect(report.steps == 6)
        #expect(Self.values(resumed) == Self.values(straight))

        // Different options cannot resume this checkpoint.
        var other = o
        other.rank = 4
        let wrong = Trainer(model: try Self.model(), options: other, train: data, eval: nil, threads: 2, baseModel: "tiny")
        #expect(throws: TrainingOptionsError.self) { _ = try wrong.run(resume: checkpoint) }
    }

    /// The trained adapter written as GGUF reads back identically and loads onto its base model.
    @Test func adapterFileRoundTrip() throws {
        let model = try Self.model()
        let trainer = Trainer(model: model, options: Self.options(steps: 2), train: Self.dataset(Self.text), eval: nil,
                              threads: 1, baseModel: "tiny-llama")
        _ = try trainer.run()
        let adapter = trainer.pass.lora.adapter(name: "kk", architecture: "llama", baseModelName: "tiny-llama")
        let path = NSTemporaryPath("kk.gguf")
        try adapter.write(to: path)
        let back = try LoRAAdapter(path: path)
        #expect(back.pairs == adapter.pairs)
        #expect(back.alpha == 16)
        #expect(back.rank == 8)
        #expect(back.baseModelName == "tiny-llama")
        try back.validate(against: model.file)
        // A model of another shape refuses it, naming both.
        var other = TinyModelBuilder()
        other.embedding = 32
        let otherFile = try GGUFFile(bytes: try other.build().encode())
        #expect(throws: LoRAError.self) { try back.validate(against: otherFile) }
        do { try back.validate(against: otherFile) } catch {
            #expect("\(error)".contains("kk") && "\(error)".contains("tiny-llama"))
        }
    }
}
