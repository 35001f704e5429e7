import ArgumentParser
import Corpus
import Foundation

/// `aqyl corpus translit`: Kazakh Cyrillic ⇄ the 2021 Latin alphabet, line by line (see docs/corpus.md).
struct CorpusTranslitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "translit",
        abstract: "Transliterate Kazakh text between Cyrillic and the 2021 Latin alphabet, line by line.")

    enum Script: String, ExpressibleByArgument, CaseIterable {
        case latin, cyrillic
    }

    @Option(help: "Target script: latin or cyrillic.")
    var to: Script

    @Argument(help: "Input text file (default: stdin).")
    var input: String?

    @Option(help: "Output file (default: stdout).")
    var out: String?

    func run() async throws {
        var lines = try TextLineStream(path: input)
        var output = try TextOutput(path: out)
        // Lines already done still reach the output when a later line fails (invalid UTF-8).
        defer { try? output.flush() }
        while let line = try lines.next() {
            try output.writeLine(to == .latin ? KazakhLatin.toLatin(line) : KazakhLatin.toCyrillic(line))
        }
        try output.flush()
    }
}
