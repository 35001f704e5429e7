import Foundation
import Models

/// A run's exact plan, for an outside trainer to replay step for step: the sequences
/// of every optimizer step in order, each step's learning rate, and the optimizer's
/// settings. With the initial adapter (written beside it) this is all another
/// implementation needs to train on exactly what Aqyl trains on
/// (`scripts/lora_sidebyside` replays it with PyTorch + PEFT).
public struct TrainingTrace: Codable, Sendable {
    public struct Step: Codable, Sendable {
        public var step: Int
        public var learningRate: Float
        /// The sequences whose summed loss, divided by `scoredTokens`, is this step's loss.
        public var examples: [TrainingExample]
        public var scoredTokens: Int
    }

    public var format = "aqyl-training-trace/1"
    public var rank: Int
    public var alpha: Float
    public var targets: [LoRATarget]
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    public var weightDecay: Float
    /// Global L2 norm the gradients are clipped to before each step (0: off).
    public var clipNorm: Float
    public var loraDropout: Float
    public var steps: [Step]

    enum CodingKeys: String, CodingKey {
        case format, rank, alpha, targets, beta1, beta2, epsilon, steps
        case weightDecay = "weight_decay", clipNorm = "clip_norm", loraDropout = "lora_dropout"
    }
}

extension TrainingTrace.Step {
    enum CodingKeys: String, CodingKey {
        case step, examples
        case learningRate = "learning_rate", scoredTokens = "scored_tokens"
    }
}

extension Trainer {
    /// What `run()` will do, without doing it: every step's sequences and learning rate.
    public func trace() -> TrainingTrace {
        let perStep = options.sequencesPerStep
        let steps = (0..<totalSteps).map { s in
            let batch = (0..<perStep).map { train.examples[exampleIndex(s * perStep + $0)] }
            return TrainingTrace.Step(
                step: s + 1,
                learningRate: options.schedule.rate(step: s + 1, total: totalSteps, warmup: options.warmup,
                                                    peak: options.learningRate),
                examples: batch, scoredTokens: batch.reduce(0) { $0 + $1.scoredTokens })
        }
        return TrainingTrace(rank: options.rank, alpha: options.alpha, targets: options.targets,
                             beta1: optimizer.beta1, beta2: optimizer.beta2, epsilon: optimizer.epsilon,
                             weightDecay: optimizer.weightDecay, clipNorm: optimizer.clipNorm,
                             loraDropout: options.loraDropout ?? 0, steps: steps)
    }
}
