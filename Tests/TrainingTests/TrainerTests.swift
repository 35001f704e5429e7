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

    /// Memorizing two sequences makes a third one less likely: the adapter kept is the
    /// one of the lowest held-out loss (the model really holds it afterwards), the last
    /// one is kept aside, and early stopping ends the run once held-out loss stalls.
    @Test func keepsTheBestAdapterAndStopsEarly() throws {
        var o = Self.options(steps: 120)
        o.evalEvery = 5
        let train = Self.dataset(Array(Self.text.prefix(2))), held = Self.dataset([Self.text[2]])
        let trainer = Trainer(model: try Self.model(), options: o, train: train, eval: held, threads: 2, baseModel: "tiny")
        let report = try trainer.run()
        let evals = [(0, report.evalLossBefore!)] + report.history.compactMap { r in r.evalLoss.map { (r.step, $0) } }
        let best = evals.min { $0.1 < $1.1 }!
        #expect(report.keptStep == best.0)
        #expect(report.evalLossAfter == best.1)
        #expect(best.0 < 120, "held-out loss kept falling: \(evals)")
        #expect(trainer.lastValues != nil)
        let now = try trainer.evaluate()!.mean
        #expect(abs(now - best.1) < 1e-9, "the restored adapter scores \(now), the best eval was \(best.1)")

        let stopping = Trainer(model: try Self.model(), options: o, train: train, eval: held, threads: 2, baseModel: "tiny")
        stopping.earlyStopPatience = 2
        let early = try stopping.run()
        #expect(early.stoppedEarlyAfterEvals == 2)
        // The same run up to where it stopped: two evals (10 steps) after its best one.
        let seen = [(0, early.evalLossBefore!)] + early.history.compactMap { r in r.evalLoss.map { (r.step, $0) } }
        #expect(seen.map(\.1) == Array(evals.prefix(seen.count)).map(\.1))
        let bestSeen = seen.min { $0.1 < $1.1 }!
        #expect(early.keptStep == bestSeen.0)
        #expect(early.steps < 120 && early.steps == bestSeen.0 + 10, "stopped at \(early.steps), best at \(bestSeen.0)")

        let last = Trainer(model: try Self.model(), options: o, train: train, eval: held, threads: 2, baseModel: "tiny")
        last.keepBest = false
        let r = try last.run()
        #expect(r.keptStep == nil && last.lastValues == nil && r.steps == 120)
    }

    @Test func evalSplitHoldsOutTheTailOfTextAndSeededRecords() {
        let seqs: [[Int32]] = (0..<20).map { (i: Int) -> [Int32] in [Int32(i), Int32(i + 1), Int32(i + 2)] }
        let text: TrainingDataset = Self.dataset(seqs)
        let (train, held) = EvalSplit.auto.split(text, seed: 1)
        #expect(held?.examples.count == 2 && train.examples.count == 18)
        #expect(held?.examples == Array(text.examples.suffix(2)))
        var chat: TrainingDataset = text
        chat.format = TrainingDataFormat.chat
        let a = EvalSplit.fraction(0.25).split(chat, seed: 1), b = EvalSplit.fraction(0.25).split(chat, seed: 1)
        #expect(a.eval?.examples.count == 5 && a.eval?.examples == b.eval?.examples)
        let all: [[Int32]] = a.train.examples.map { $0.tokens } + a.eval!.examples.map { $0.tokens }
        #expect(Set(all).count == 20)
        #expect(EvalSplit.auto.split(Self.dataset(Array(seqs.prefix(3))), seed: 1).eval == nil)   // too few to split
        // A short last window of a text goes along with a full one.
        let windows: [[Int32]] = (0..<9).map { (i: Int) -> [Int32] in (0..<5).map { Int32(i + $0) } }
        let tail: TrainingDataset = Self.dataset(windows + [[Int32(1), 2]])
        #expect(EvalSplit.auto.split(tail, seed: 1).eval?.examples.count == 2)
        let bigSeqs: [[Int32]] = (0..<300).map { (i: Int) -> [Int32] in [Int32(i % 40), 1, 2] }
        let big: TrainingDataset = Self.dataset(bigSeqs)
        #expect(EvalSplit.auto.split(big, seed: 1).eval == nil)   // not small: no split unless asked
        #expect(EvalSplit.fraction(0.1).split(big, seed: 1).eval?.examples.count == 30)
        #expect(EvalSplit(argument: "0.6") == nil && EvalSplit(argument: "-1") == nil && EvalSplit(argument: "x") == nil)
        #expect(EvalSplit(argument: "auto") == .auto && EvalSplit(argument: "0") == .fraction(0))
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
