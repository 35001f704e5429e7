import ArgumentParser
import Training

// Fixed-value finetune options are parsed as their enums: an unknown value is
// rejected by the parser (exit 64) and `--help` lists the values.
extension LearningRateSchedule: ExpressibleByArgument {}
extension TrainingPass.BackwardProduct: ExpressibleByArgument {}
extension TrainingDataFormat: ExpressibleByArgument {}
