import ArgumentParser

/// `aqyl eval`: perplexity, task runs and side-by-side comparisons, every number
/// stamped with its protocol (docs/eval.md).
struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval", abstract: "Measure models: perplexity, multiple-choice and generative tasks, comparisons.",
        subcommands: [EvalPerplexityCommand.self, EvalRunCommand.self, EvalCompareCommand.self])
}
