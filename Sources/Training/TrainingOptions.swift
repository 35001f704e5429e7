import Foundation
import Models

/// Everything that fixes a training run (saved in checkpoints, so a resumed
/// run continues with the same settings).
public struct TrainingOptions: Sendable, Codable, Equatable {
    public var rank = 8
    public var alpha: Float = 16
    public var targets: [LoRATarget] = LoRATarget.allCases
    public var learningRate: Float = 2e-4
    /// Either a number of epochs or of optimizer steps fixes the run length.
    public var epochs: Double = 1
    public var steps: Int?
    public var batch = 1
    public var gradientAccumulation = 1
    public var context = 256
    public var warmup = 0
    public var schedule: LearningRateSchedule = .cosine
    public var weightDecay: Float = 0
    public var seed: UInt64 = 42
    /// Evaluate (when an eval set is given) and checkpoint every N steps (0 = only at the end).
    public var evalEvery = 0
    public var checkpointEvery = 0
    public var evalLimit = 64
    /// PEFT's `lora_dropout` (nil: none; optional so older checkpoints still read).
    public var loraDropout: Float?
    /// `--train-embeddings new`: the first token id whose embedding (and untied output) row is
    /// trained in full, with LoRA — the rows `aqyl vocab extend` added (nil: none).
    public var newTokensFrom: Int?

    public init() {}

    /// Sequences per optimizer step.
    public var sequencesPerStep: Int { batch * gradientAccumulation }

    /// Optimizer steps for `examples` sequences.
    public func totalSteps(examples: Int) -> Int {
        if let steps { return steps }
        return max(1, Int((epochs * Double(examples) / Double(sequencesPerStep)).rounded(.up)))
    }
}

public enum TrainingOptionsError: Error, Equatable, CustomStringConvertible {
    case invalid(String)

    public var description: String {
        switch self { case let .invalid(m): return m }
    }
}

extension TrainingOptions {
    /// Refuses settings that cannot train (with the reason).
    public func validate(modelContext: Int) throws {
        func fail(_ m: String) throws { throw TrainingOptionsError.invalid(m) }
        if rank < 1 || rank > 1024 { try fail("--rank must be 1...1024 (got \(rank))") }
        if !alpha.isFinite || alpha <= 0 { try fail("--alpha must be positive") }
        if targets.isEmpty { try fail("--targets is empty") }
        if !learningRate.isFinite || learningRate <= 0 { try fail("--lr must be positive") }
        if let steps, steps < 1 { try fail("--steps must be at least 1") }
        if steps == nil && !(epochs > 0 && epochs.isFinite) { try fail("--epochs must be positive") }
        if batch < 1 || gradientAccumulation < 1 { try fail("--batch and --grad-accum must be at least 1") }
        if context < 2 { try fail("--ctx must be at least 2") }
        if context > modelContext {
            try fail("--ctx \(context) is longer than the model's training context of \(modelContext) tokens")
        }
        if warmup < 0 { try fail("--warmup must not be negative") }
        if !weightDecay.isFinite || weightDecay < 0 { try fail("--weight-decay must not be negative") }
        if let p = loraDropout, !(p >= 0 && p < 1) { try fail("--lora-dropout must be in [0, 1)") }
    }
}
