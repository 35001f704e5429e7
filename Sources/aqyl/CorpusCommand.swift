import ArgumentParser

/// `aqyl corpus`: Kazakh text tools — cleaning, transliteration, language identification, tokenizer cost.
struct CorpusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "corpus",
        abstract: "Kazakh corpus tools: clean, transliterate, identify languages, measure tokenizer cost.",
        subcommands: [CorpusCleanCommand.self, CorpusTranslitCommand.self, CorpusLangIDCommand.self, CorpusFertilityCommand.self])
}
