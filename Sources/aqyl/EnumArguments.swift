import Engine
import ArgumentParser
import Corpus
import Evaluation
import Training

// Fixed-value options are parsed as their enums: an unknown value is rejected
// by the parser (exit 64) and `--help` lists the values.
extension LearningRateSchedule: ExpressibleByArgument {}
extension EmbeddingPooling: ExpressibleByArgument {}
extension TrainingPass.BackwardProduct: ExpressibleByArgument {}
extension TrainingDataFormat: ExpressibleByArgument {}
extension LSHIndex.Verification: ExpressibleByArgument {}
extension PromptTemplate: ExpressibleByArgument {}

extension EvalSplit: ExpressibleByArgument {
    public var defaultValueDescription: String {
        switch self {
        case .auto: return "auto"
        case let .fraction(f): return "\(f)"
        }
    }
}

/// Which adapter `aqyl finetune` writes to --out.
enum KeptAdapter: String, CaseIterable, ExpressibleByArgument {
    case best, last
}

/// What `aqyl finetune --train-embeddings` trains besides LoRA.
enum TrainedEmbeddings: String, CaseIterable, ExpressibleByArgument {
    /// Nothing: the embedding stays frozen.
    case none
    /// The rows of the tokens `aqyl vocab extend` added (and their untied output rows).
    case new
}
