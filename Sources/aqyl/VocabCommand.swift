import ArgumentParser

/// `aqyl vocab`: a model's vocabulary.
struct VocabCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vocab",
        abstract: "Work on a model's vocabulary.",
        subcommands: [VocabExtendCommand.self])
}
