import Foundation
import Kernels
import Models

/// Progress of a run, for the progress bar.
public struct TrainingProgress: Sendable {
    public var step: Int
    public var totalSteps: Int
    public var loss: Double
    public var evalLoss: Double?
    public var tokensPerSecond: Double
    public var elapsedSeconds: Double
    public var etaSeconds: Double
}

/// What a finished run measured.
public struct TrainingReport: Sendable, Codable {
    public var steps: Int
    public var trainedTokens: Int
    public var seconds: Double
    /// Training tokens (inputs of every sequence) per wall-clock second of optimizer steps.
    public var tokensPerSecond: Double
    public var peakRSSBytes: Int
    public var finalLoss: Double
    public var evalLossBefore: Double?
    public var evalLossAfter: Double?
    /// Held-out bits per character (when an eval set is given): summed loss / ln 2 / characters scored.
    public var evalBitsPerCharBefore: Double?
    public var evalBitsPerCharAfter: Double?
    public var history: [LossRecord]
    public var recomputedLayers: Int
    /// The step whose adapter was kept (the lowest held-out loss; 0: no step beat the
    /// base model, so the adapter is the initial one, B = 0), when the best is kept.
    public var keptStep: Int?
    /// Set when the run stopped early: held-out loss had not improved for this many evals.
    public var stoppedEarlyAfterEvals: Int?
}

/// The training loop: seeded shuffles per epoch, gradient accumulation,
/// warmup and decay, AdamW, periodic eval and checkpoints.
public final class Trainer {
    public let pass: TrainingPass
    public let options: TrainingOptions
    public let train: TrainingDataset
    public let eval: TrainingDataset?
    public let baseModel: String
    public let totalSteps: Int
    let optimizer: AdamW
    /// Characters of the eval texts' scored tokens, for bits per character.
    public var evalCharacters: ((TrainingExample) -> Int)?
    /// Keep the adapter of the step with the lowest held-out loss instead of the last
    /// one (only with an eval set; evals happen every `options.evalEvery` steps).
    public var keepBest = true
    /// Stop after this many evals in a row without a lower held-out loss (0: never).
    public var earlyStopPatience = 0
    /// The last step's values, when the best step's were restored at the end.
    public private(set) var lastValues: [Float]?

    public init(model: Transformer, options: TrainingOptions, train: TrainingDataset, eval: TrainingDataset?,
                threads: Int, baseModel: String) {
        self.options = options
        self.train = train
        self.eval = eval
        self.baseModel = baseModel
        let lora = TrainableLoRA(config: model.config, targets: options.targets, rank: options.rank, alpha: options.alpha,
                                 seed: options.seed, newTokens: options.newTokensFrom.map { Self.newTokenRows(model, from: $0) })
        pass = TrainingPass(model: model, lora: lora, pool: ThreadPool(threads: threads))
        pass.loraDropout = options.loraDropout ?? 0
        totalSteps = options.totalSteps(examples: train.examples.count)
        optimizer = AdamW(weightDecay: options.weightDecay)
    }

    /// The model's current rows for tokens `first...` (dequantized): where training them starts.
    static func newTokenRows(_ model: Transformer, from first: Int) -> TrainableLoRA.NewTokenInit {
        let w = model.weights, e = model.config.embedding
        func rows(_ m: QuantMatrix) -> [Float] {
            let n = max(0, m.rows - first)
            var out = [Float](repeating: 0, count: n * e)
            out.withUnsafeMutableBufferPointer { buf in
                for r in 0..<n { Dequantize.row(m.type, m.row(first + r), buf.baseAddress! + r * e, count: e) }
            }
            return out
        }
        let tied = w.output.row(0) == w.tokenEmbedding.row(0)
        return TrainableLoRA.NewTokenInit(first: first, input: rows(w.tokenEmbedding), output: tied ? nil : rows(w.output))
    }

    /// Example index for global position `i` of the run: epoch `i / n`, shuffled with a seed per epoch.
    func exampleIndex(_ i: Int) -> Int {
        let n = train.examples.count
        let epoch = i / n
        if epoch != cachedEpoch {
            var rng = SplitMix64(seed: options.seed ^ (0xA5A5_0000 &+ UInt64(epoch) &* 0x9E37_79B9))
            var order = Array(0..<n)
            // Fisher–Yates with our own generator: the same order on every platform.
            for j in stride(from: n - 1, to: 0, by: -1) {
                let k = Int(rng.next() % UInt64(j + 1))
                order.swapAt(j, k)
            }
            cachedOrder = order
            cachedEpoch = epoch
        }
        return cachedOrder[i % n]
    }
    private var cachedEpoch = -1
    private var cachedOrder: [Int] = []

    /// Mean loss (nats per scored token) and summed loss over the first `evalLimit` eval sequences.
    public func evaluate() throws -> (mean: Double, sum: Double, count: Int)? {
        guard let eval else { return nil }
        var sum = 0.0, count = 0
        for ex in eval.examples.prefix(options.evalLimit) {
            let r = try pass.loss(tokens: ex.tokens, targets: ex.targets)
            sum += r.loss
            count += r.count
        }
        return count > 0 ? (sum / Double(count), sum, count) : nil
    }

    /// Runs to `totalSteps`, from `resume` if given.
    public func run(resume: TrainingCheckpoint? = nil, progress: (TrainingProgress) -> Void = { _ in },
                    checkpoint: (TrainingCheckpoint) throws -> Void = { _ in }) throws -> TrainingReport {
        let lora = pass.lora
        var step = 0
        var history: [LossRecord] = []
        var trainedTokens = 0
        var priorSeconds = 0.0
        if let resume {
            guard resume.state.options == options, resume.state.parameterCount == lora.count else {
                throw TrainingOptionsError.invalid("the checkpoint was made with different settings or another model; resume with the same options")
            }
            resume.values.withUnsafeBufferPointer { lora.values.update(from: $0.baseAddress!, count: lora.count) }
            resume.firstMoment.withUnsafeBufferPointer { lora.firstMoment.update(from: $0.baseAddress!, count: lora.count) }
            resume.secondMoment.withUnsafeBufferPointer { lora.secondMoment.update(from: $0.baseAddress!, count: lora.count) }
            step = resume.state.step
            history = resume.state.history
            trainedTokens = resume.state.trainedTokens
            priorSeconds = resume.state.elapsedSeconds
        }
        let before = resume == nil ? try evaluate() : nil
        let perStep = options.sequencesPerStep
        let clock = ContinuousClock()
        let started = clock.now
        var stepSeconds = 0.0
        var lastEval: Double? = history.last(where: { $0.evalLoss != nil })?.evalLoss ?? before?.mean
        // The best held-out loss so far (mean, and the sum for bits per character) and the
        // values that gave it; a resumed run starts tracking at its first eval.
        var best: (loss: Double, sum: Double, step: Int, values: [Float])?
        if let before { best = (before.mean, before.sum, step, lora.valueSnapshot) }
        var evalsWithoutImprovement = 0
        var stoppedEarly: Int?
        func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }

        while step < totalSteps {
            let t0 = clock.now
            let batch = (0..<perStep).map { train.examples[exampleIndex(step * perStep + $0)] }
            let scored = batch.reduce(0) { $0 + $1.scoredTokens }
            lora.zeroGradients()
            var loss = 0.0
            for (j, ex) in batch.enumerated() {
                // Dropout masks: a function of (seed, position in the run), like the data order.
                pass.dropoutSeed = options.seed ^ (UInt64(step * perStep + j) &+ 1) &* 0xD1B5_4A32_D192_ED03
                loss += try pass.accumulate(tokens: ex.tokens, targets: ex.targets, gradScale: 1 / Float(max(scored, 1))).loss
            }
            step += 1
            let lr = options.schedule.rate(step: step, total: totalSteps, warmup: options.warmup, peak: options.learningRate)
            optimizer.step(lora, learningRate: lr, step: step)
            let tokens = batch.reduce(0) { $0 + $1.tokens.count }
            trainedTokens += tokens
            stepSeconds += seconds(clock.now - t0)

            var evalLoss: Double?
            if options.evalEvery > 0 && step % options.evalEvery == 0 || step == totalSteps {
                if let e = try evaluate() {
                    evalLoss = e.mean
                    lastEval = e.mean
                    if best == nil || e.mean < best!.loss {
                        best = (e.mean, e.sum, step, lora.valueSnapshot)
                        evalsWithoutImprovement = 0
                    } else {
                        evalsWithoutImprovement += 1
                    }
                }
            }
            let elapsed = priorSeconds + seconds(clock.now - started)
            history.append(LossRecord(step: step, epoch: Double(step * perStep) / Double(train.examples.count), learningRate: lr,
                                      loss: loss / Double(max(scored, 1)), evalLoss: evalLoss, tokens: tokens,
                                      elapsedSeconds: elapsed))
            let rate = Double(trainedTokens - (resume?.state.trainedTokens ?? 0)) / max(stepSeconds, 1e-9)
            progress(TrainingProgress(step: step, totalSteps: totalSteps, loss: loss / Double(max(scored, 1)), evalLoss: lastEval,
                                      tokensPerSecond: rate, elapsedSeconds: elapsed,
                                      etaSeconds: Double(totalSteps - step) * stepSeconds / Double(step - (resume?.state.step ?? 0))))
            let stopNow = earlyStopPatience > 0 && evalsWithoutImprovement >= earlyStopPatience && step < totalSteps
            if options.checkpointEvery > 0 && step % options.checkpointEvery == 0 || step == totalSteps || stopNow {
                try checkpoint(snapshot(step: step, history: history, trainedTokens: trainedTokens, elapsed: elapsed))
            }
            if stopNow {
                stoppedEarly = evalsWithoutImprovement
                break
            }
        }
        var after: (mean: Double, sum: Double)?
        var keptStep: Int?
        if keepBest, let best {
            if best.step != step {
                lastValues = lora.valueSnapshot
                lora.restore(best.values)
            }
            keptStep = best.step
            after = (best.loss, best.sum)
        } else {
            after = try evaluate().map { ($0.mean, $0.sum) }
        }
        let newTokens = trainedTokens - (resume?.state.trainedTokens ?? 0)
        let chars = evalCharacterCount()
        return TrainingReport(
            steps: step, trainedTokens: trainedTokens, seconds: stepSeconds,
            tokensPerSecond: Double(newTokens) / max(stepSeconds, 1e-9), peakRSSBytes: Self.peakRSS(),
            finalLoss: history.last?.loss ?? 0, evalLossBefore: before?.mean, evalLossAfter: after?.mean,
            evalBitsPerCharBefore: before.flatMap { b in chars.map { b.sum / log(2) / Double($0) } },
            evalBitsPerCharAfter: after.flatMap { a in chars.map { a.sum / log(2) / Double($0) } },
            history: history, recomputedLayers: pass.recomputedLayers, keptStep: keptStep,
            stoppedEarlyAfterEvals: stoppedEarly)
    }

    /// Characters covered by the evaluated sequences' scored tokens.
    func evalCharacterCount() -> Int? {
        guard let eval, let evalCharacters else { return nil }
        let n = eval.examples.prefix(options.evalLimit).reduce(0) { $0 + evalCharacters($1) }
        return n > 0 ? n : nil
    }

    func snapshot(step: Int, history: [LossRecord], trainedTokens: Int, elapsed: Double) -> TrainingCheckpoint {
        let l = pass.lora
        return TrainingCheckpoint(
            state: .init(options: options, step: step, totalSteps: totalSteps, history: history, baseModel: baseModel,
                         parameterCount: l.count, trainedTokens: trainedTokens, elapsedSeconds: elapsed),
            values: l.valueSnapshot,
            firstMoment: Array(UnsafeBufferPointer(start: l.firstMoment, count: l.count)),
            secondMoment: Array(UnsafeBufferPointer(start: l.secondMoment, count: l.count)))
    }

    /// Peak resident set size (VmHWM) of this process, in bytes; 0 where /proc is missing.
    public static func peakRSS() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kb = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
            return kb * 1024
        }
        return 0
    }
}
