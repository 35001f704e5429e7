import ArgumentParser

@main
struct Aqyl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aqyl",
        abstract: "Aqyl: a Kazakh-first LLM engine, chat server, fine-tuner and honest usage ledger.",
        subcommands: []
    )
}
