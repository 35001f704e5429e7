import ArgumentParser
import Engine
import Foundation
import Models
import Training
import VocabExtension

/// `aqyl finetune`: LoRA training (the default) and `plan`, the cost estimator.
struct FinetuneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "finetune",
        abstract: "Train a LoRA adapter on a GGUF model (CPU), or estimate what a run costs.",
        subcommands: [FinetuneTrainCommand.self, FinetunePlanCommand.self, FinetunePlotCommand.self],
        defaultSubcommand: FinetuneTrainCommand.self)
}

struct FinetuneTrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a LoRA adapter (llama.cpp GGUF LoRA) on frozen quantized weights.",
        discussion: """
        Data: plain text (packed windows), chat JSONL {"messages":[...]} (loss on assistant \
        tokens only) or instruction JSONL {"instruction","input","output"}; detected from the \
        first record unless --format is given. Writes the adapter, a loss curve (.loss.csv, \
        .loss.svg), a run report (.run.json) and a resumable checkpoint (.ckpt.gguf) beside --out.
        """)

    @OptionGroup var modelOptions: ModelOptions

    @Option(help: "Training data file.") var data: String
    @Option(help: "Held-out data file for eval loss and bits per character.") var eval: String?
    @Option(help: "Output adapter path (.gguf).") var out: String
    @Option(help: "Data format (default: detect).") var format: TrainingDataFormat?
    @Option(help: "LoRA rank.") var rank: Int = 8
    @Option(help: "LoRA alpha (scale = alpha / rank).") var alpha: Float = 16
    @Option(help: "Adapted matrices: q,k,v,o,gate,up,down or all.") var targets: String = "q,k,v,o,gate,up,down"
    @Option(help: "Peak learning rate.") var lr: Float = 2e-4
    @Option(help: "Epochs over the data (ignored with --steps).") var epochs: Double = 1
    @Option(help: "Optimizer steps.") var steps: Int?
    @Option(help: "Sequences per micro-batch.") var batch: Int = 1
    @Option(help: "Micro-batches per optimizer step.") var gradAccum: Int = 1
    @Option(help: "Tokens per training sequence.") var ctx: Int = 256
    @Option(help: "Warmup steps.") var warmup: Int = 0
    @Option(help: "Learning-rate schedule.") var schedule: LearningRateSchedule = .cosine
    @Option(help: "AdamW weight decay.") var weightDecay: Float = 0
    @Option(help: "Dropout on the LoRA inputs while training (PEFT's lora_dropout), in [0, 1).") var loraDropout: Float = 0
    @Option(help: "Also train in full the embedding rows (and untied output rows) of the tokens `aqyl vocab extend` added: none or new. With new, the trained rows go into OUT.model.gguf, to run with the adapter.")
    var trainEmbeddings: TrainedEmbeddings = .none
    @Option(help: "Random seed (initialization and data order).") var seed: UInt64 = 42
    @Option(help: "Eval every N steps (0: only at the start and end; default: about 10 evals per run when there is held-out data).")
    var evalEvery: Int?
    @Option(help: ArgumentHelp("Held-out share of the training data when no --eval is given: auto (10% when the data has at most \(EvalSplit.smallData) sequences), 0 (none) or a fraction up to 0.5.", valueName: "auto|fraction"))
    var evalSplit: EvalSplit = .auto
    @Option(help: "The adapter to write: best (lowest held-out loss; the last one without held-out data) or last.")
    var keep: KeptAdapter = .best
    @Option(help: "Stop after N evals in a row without a lower held-out loss (0: never).") var earlyStop: Int = 0
    @Option(help: "Checkpoint every N steps (0: only at the end).") var checkpointEvery: Int = 0
    @Option(help: "Continue from this checkpoint (same options and seed).") var resume: String?
    @Option(help: "Megabytes of activations to keep for the backward pass; beyond it layers are recomputed.")
    var activationMemory: Int = 1500
    @Option(help: "Backward product through quantized weights: int8 (a Q8_0 copy of each Wᵀ, ~1.06 bytes per weight, fast) or float (dequantized tiles, no extra memory).")
    var backward: TrainingPass.BackwardProduct = .int8
    @Option(help: ArgumentHelp("Also write the run's exact plan to this directory (trace.json: every step's sequences and learning rate; initial.gguf: the adapter before step 1), for an outside trainer to replay (scripts/lora_sidebyside).", valueName: "dir"))
    var trace: String?
    @Flag(help: "Stop at the first malformed data line instead of skipping it.") var strict = false
    @Flag(help: "No progress bar.") var quiet = false

    func run() async throws {
        var options = TrainingOptions()
        options.rank = rank
        options.alpha = alpha
        do { options.targets = try LoRATarget.parseList(targets) } catch { throw CLIError("\(error)") }
        options.learningRate = lr
        options.epochs = epochs
        options.steps = steps
        options.batch = batch
        options.gradientAccumulation = gradAccum
        options.context = ctx
        options.warmup = warmup
        options.schedule = schedule
        options.weightDecay = weightDecay
        options.loraDropout = loraDropout == 0 ? nil : loraDropout
        options.seed = seed
        options.checkpointEvery = checkpointEvery
        let dataFormat = format
        guard out.hasSuffix(".gguf") else { throw CLIError("--out must end in .gguf (llama.cpp's LoRA format)") }

        let model = try await modelOptions.load()
        do { try options.validate(modelContext: model.config.contextLength) } catch { throw CLIError("\(error)") }
        if trainEmbeddings == .new {
            let vocabulary = model.tokenizer.vocabularySize
            guard let base = model.file.metadata[VocabularyExtender.baseSizeKey]?.int, base > 0, base < vocabulary else {
                throw CLIError("--train-embeddings new: \(modelOptions.model) has no added tokens (no \(VocabularyExtender.baseSizeKey) below its vocabulary of \(vocabulary)); extend it first with `aqyl vocab extend`")
            }
            options.newTokensFrom = base
        }
        let loader = TrainingDataLoader(tokenizer: model.tokenizer, formatter: model.chatFormatter, context: ctx, strict: strict)
        var train: TrainingDataset
        var held: TrainingDataset?
        do {
            train = try loader.load(path: data, format: dataFormat)
            held = try eval.map { try loader.load(path: $0, format: dataFormat) }
        } catch {
            throw CLIError("\(error)")
        }
        for issue in train.issues + (held?.issues ?? []) { printErr("aqyl: warning: skipped \(issue)") }
        guard earlyStop >= 0, earlyStop <= 1_000_000 else { throw CLIError("--early-stop must be 0...1000000") }
        if let evalEvery, evalEvery < 0 { throw CLIError("--eval-every must not be negative") }
        if held == nil, resume == nil {
            let (kept, split) = evalSplit.split(train, seed: seed)
            if let split {
                train = kept
                held = split
                printErr("aqyl: held out \(split.examples.count) of \(kept.examples.count + split.examples.count) sequences for eval "
                    + "(--eval-split \(evalSplit.defaultValueDescription); --eval FILE or --eval-split 0 to change)")
            }
        }
        let steps = options.totalSteps(examples: train.examples.count)
        // About ten evals per run by default, so the best adapter can be kept and overfitting seen.
        options.evalEvery = evalEvery ?? (held == nil ? 0 : max(1, steps / 10))
        let passes = Double(steps * options.sequencesPerStep) / Double(max(train.examples.count, 1))
        if passes > 3, train.tokenCount < 50_000 {
            printErr(String(format: "aqyl: warning: %d steps make %.1f passes over %d sequences (%d tokens); a text this small is learned by heart quickly",
                            steps, passes, train.examples.count, train.tokenCount)
                + (held == nil || keep == .last ? " (give --eval or --eval-split to watch held-out loss)"
                   : "; held-out loss is measured every \(options.evalEvery) steps and the best adapter is kept"))
        }
        if train.truncated > 0 { printErr("aqyl: warning: \(train.truncated) examples were cut to --ctx \(ctx)") }

        let baseName = model.file.metadata["general.name"]?.string ?? URL(fileURLWithPath: model.path).lastPathComponent
        let trainer = Trainer(model: model.transformer, options: options, train: train, eval: held,
                              threads: modelOptions.threads, baseModel: baseName)
        trainer.pass.activationBudget = activationMemory * 1_000_000
        trainer.pass.backwardProduct = backward
        trainer.keepBest = keep == .best
        trainer.earlyStopPatience = earlyStop
        let tokenizer = model.tokenizer
        trainer.evalCharacters = { ex in
            var bytes: [UInt8] = []
            for t in ex.targets where t >= 0 { bytes += tokenizer.pieceBytes(t, special: false) }
            return String(decoding: bytes, as: UTF8.self).count
        }
        let stem = String(out.dropLast(5))
        let checkpointPath = stem + ".ckpt.gguf"
        let resumeFrom: TrainingCheckpoint?
        do { resumeFrom = try resume.map { try TrainingCheckpoint(path: $0) } } catch { throw CLIError("\(error)") }

        printErr("aqyl: fine-tuning \(baseName) (\(model.config.architecture.rawValue)) with LoRA rank \(rank) on "
            + "\(options.targets.map(\.rawValue).joined(separator: ",")): \(trainer.pass.lora.count) trainable parameters"
            + (trainer.pass.lora.newTokenRows.map { r in
                " (\(r.count) new-token \(r.tied ? "embedding rows, tied to the output" : "embedding and output rows") included)" } ?? ""))
        printErr("aqyl: \(train.examples.count) sequences (\(train.tokenCount) tokens, \(train.scoredTokens) scored, \(train.format.rawValue))"
            + (held.map { ", eval \($0.examples.count) sequences" } ?? "") + "; \(trainer.totalSteps) steps")
        if let trace {
            guard resumeFrom == nil else { throw CLIError("--trace records a run from its start; it cannot be combined with --resume") }
            try writeTrace(trainer, directory: trace, architecture: model.config.architecture.rawValue, baseName: baseName)
        }
        let bar = ProgressBar(quiet: quiet)
        let report: TrainingReport
        do {
            report = try trainer.run(resume: resumeFrom, progress: { bar.show($0) }, checkpoint: { try $0.write(to: checkpointPath) })
        } catch {
            bar.finish()
            throw CLIError("\(error)")
        }
        bar.finish()

        let adapter = trainer.pass.lora.adapter(name: LoRAAdapter.defaultName(path: out), architecture: model.config.architecture.rawValue,
                                                baseModelName: baseName)
        try adapter.write(to: out)
        var trainedModel: String?
        if let rows = trainer.pass.lora.newTokenValues(), let first = options.newTokensFrom {
            trainedModel = stem + ".model.gguf"
            try TrainedRowsWriter.model(model.file, first: first, input: rows.input, output: rows.output).write(to: stem + ".model.gguf")
        }
        if let last = trainer.lastValues {
            try trainer.pass.lora.adapter(name: LoRAAdapter.defaultName(path: out), architecture: model.config.architecture.rawValue,
                                          baseModelName: baseName, snapshot: last).write(to: stem + ".last.gguf")
            if let rows = trainer.pass.lora.newTokenValues(snapshot: last), let first = options.newTokensFrom {
                try TrainedRowsWriter.model(model.file, first: first, input: rows.input, output: rows.output).write(to: stem + ".last.model.gguf")
            }
        }
        let title = "LoRA r\(rank) on \(baseName): \(URL(fileURLWithPath: data).lastPathComponent)"
        try LossCurve.csv(report.history, initialEval: report.evalLossBefore).write(toFile: stem + ".loss.csv", atomically: true, encoding: .utf8)
        try LossCurve.svg(report.history, title: title, initialEval: report.evalLossBefore)
            .write(toFile: stem + ".loss.svg", atomically: true, encoding: .utf8)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(RunRecord(model: baseName, data: data, eval: eval, options: options, threads: modelOptions.threads,
                                     report: report)).write(to: URL(fileURLWithPath: stem + ".run.json"))
        ThroughputRecord.save(params: model.transformer.parameterCount, tokensPerSecond: report.tokensPerSecond,
                              threads: modelOptions.threads, context: ctx, rank: rank)

        print("adapter: \(out)")
        if let trainedModel {
            print("model with the trained new-token rows: \(trainedModel) (run it with the adapter: --model \(trainedModel) --lora \(out))")
        }
        print(String(format: "steps: %d, tokens: %d, %.1f tokens/s, peak RSS %.0f MB", report.steps, report.trainedTokens,
                     report.tokensPerSecond, Double(report.peakRSSBytes) / 1e6))
        print(String(format: "train loss: %.4f (last step)", report.finalLoss))
        if let b = report.evalLossBefore, let a = report.evalLossAfter {
            print(String(format: "eval loss: %.4f → %.4f nats/token", b, a))
        }
        if let b = report.evalBitsPerCharBefore, let a = report.evalBitsPerCharAfter {
            print(String(format: "eval bits/char: %.4f → %.4f", b, a))
        }
        if let kept = report.keptStep {
            if kept == 0 {
                print("kept: the initial adapter (no step lowered the held-out loss below the base model's; it changes nothing)")
            } else if kept != report.steps {
                print("kept: step \(kept) (lowest held-out loss); the last step's adapter: \(stem).last.gguf")
            }
        }
        if let n = report.stoppedEarlyAfterEvals {
            print("stopped early at step \(report.steps): \(n) evals without a lower held-out loss")
        }
        print("loss curve: \(stem).loss.csv, \(stem).loss.svg; report: \(stem).run.json; checkpoint: \(checkpointPath)")
    }
}

extension FinetuneTrainCommand {
    func writeTrace(_ trainer: Trainer, directory: String, architecture: String, baseName: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            try encoder.encode(trainer.trace()).write(to: URL(fileURLWithPath: directory + "/trace.json"))
            try trainer.pass.lora.adapter(name: "initial", architecture: architecture, baseModelName: baseName)
                .write(to: directory + "/initial.gguf")
        } catch {
            throw CLIError("cannot write the trace to \(directory): \(error)")
        }
    }
}

/// `aqyl finetune plot RUN.json`: redraws a run's loss curve (CSV and SVG).
struct FinetunePlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plot", abstract: "Redraw the loss curve of a run from its .run.json.")

    @Argument(help: "The .run.json a training run wrote.") var report: String
    @Option(help: "Chart title.") var title: String?

    func run() throws {
        guard let data = FileManager.default.contents(atPath: report) else { throw CLIError("cannot read \(report)") }
        let record: RunRecord
        do { record = try JSONDecoder().decode(RunRecord.self, from: data) } catch { throw CLIError("\(report) is not a run report: \(error)") }
        let stem = report.hasSuffix(".run.json") ? String(report.dropLast(9)) : report
        let r = record.report
        try LossCurve.csv(r.history, initialEval: r.evalLossBefore).write(toFile: stem + ".loss.csv", atomically: true, encoding: .utf8)
        try LossCurve.svg(r.history, title: title ?? "LoRA r\(record.options.rank) on \(record.model)", initialEval: r.evalLossBefore)
            .write(toFile: stem + ".loss.svg", atomically: true, encoding: .utf8)
        print("wrote \(stem).loss.csv and \(stem).loss.svg")
    }
}

/// What `.run.json` holds.
struct RunRecord: Codable {
    var model: String
    var data: String
    var eval: String?
    var options: TrainingOptions
    var threads: Int
    var report: TrainingReport
}

/// The trainer's last measured speed, read by `aqyl finetune plan --gpu cpu`.
enum ThroughputRecord {
    static var path: String { CPUThroughput.defaultPath() }

    static func save(params: Int, tokensPerSecond: Double, threads: Int, context: Int, rank: Int) {
        let object: [String: Any] = [
            "params_billion": Double(params) / 1e9, "tokens_per_second": tokensPerSecond, "threads": threads,
            "ctx": context, "rank": rank,
        ]
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try? data.write(to: URL(fileURLWithPath: path))
    }
}

/// One status line on stderr, redrawn in place on a terminal, every ~5% otherwise.
final class ProgressBar {
    let quiet: Bool
    let terminal = isatty(2) == 1
    var lastPrinted = -1

    init(quiet: Bool) { self.quiet = quiet }

    func show(_ p: TrainingProgress) {
        guard !quiet else { return }
        let width = 24
        let filled = p.totalSteps > 0 ? width * p.step / p.totalSteps : 0
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        var line = String(format: "[%@] step %d/%d  loss %.4f", bar, p.step, p.totalSteps, p.loss)
        if let e = p.evalLoss { line += String(format: "  eval %.4f", e) }
        line += String(format: "  %.0f tok/s  ETA %@", p.tokensPerSecond, Self.duration(p.etaSeconds))
        if terminal {
            printErr("\r" + line + "  ", terminator: "")
        } else {
            let every = max(1, p.totalSteps / 20)
            if p.step % every == 0 || p.step == p.totalSteps || p.step == 1 { printErr(line) }
        }
        lastPrinted = p.step
    }

    func finish() {
        if terminal && !quiet && lastPrinted >= 0 { printErr("") }
    }

    static func duration(_ s: Double) -> String {
        guard s.isFinite else { return "?" }
        let t = Int(s.rounded())
        return t >= 3600 ? "\(t / 3600)h\(t % 3600 / 60)m" : t >= 60 ? "\(t / 60)m\(t % 60)s" : "\(t)s"
    }
}
