import ArgumentParser
import Corpus
import Evaluation
import Training

// Fixed-value options are parsed as their enums: an unknown value is rejected
// by the parser (exit 64) and `--help` lists the values.
extension LearningRateSchedule: ExpressibleByArgument {}
extension TrainingPass.BackwardProduct: ExpressibleByArgument {}
extension TrainingDataFormat: ExpressibleByArgument {}
extension LSHIndex.Verification: ExpressibleByArgument {}
extension PromptTemplate: ExpressibleByArgument {}
