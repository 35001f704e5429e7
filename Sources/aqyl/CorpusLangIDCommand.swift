import ArgumentParser
import Corpus
import Foundation

/// `aqyl corpus langid`: kk / ru / en / other / mixed per line, or an evaluation on a labelled TSV.
struct CorpusLangIDCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "langid",
        abstract: "Identify the language of each line: kk, ru, en, other, or mixed (code-switching).",
        discussion: """
            Prints label<TAB>confidence<TAB>text per input line, or with --json one JSON object per line with \
            all scores. --eval FILE instead reads label<TAB>text lines and prints accuracy and the confusion \
            matrix as Markdown.
            """)

    @Argument(help: "Input text file (default: stdin).")
    var input: String?

    @Flag(help: "Write JSON lines: {\"confidence\", \"label\", \"scores\", \"text\"}.")
    var json = false

    @Option(name: .customLong("eval"), help: ArgumentHelp(
        "Evaluate on a labelled TSV (label<TAB>text) instead.", valueName: "tsv"))
    var evalPath: String?

    @Option(help: "Output file (default: stdout).")
    var out: String?

    func validate() throws {
        if evalPath != nil && (input != nil || json) {
            throw ValidationError("--eval takes its own file; give no input file and no --json with it")
        }
    }

    private struct Record: Encodable {
        var confidence: Double
        var label: String
        var scores: [String: Double]
        var text: String
    }

    func run() async throws {
        let identifier = LanguageIdentifier()
        var output = try TextOutput(path: out)
        if let evalPath {
            let tsv: String
            do { tsv = try String(contentsOfFile: evalPath, encoding: .utf8) } catch {
                throw CLIError("cannot read \(evalPath) as UTF-8 text")
            }
            let lines: [(label: Language, text: String)]
            do { lines = try LabeledLines.parse(tsv) } catch let error as LabeledLines.ParseError {
                throw CLIError("\(evalPath): " + error.problems.joined(separator: "; "))
            }
            let evaluation = LanguageIDEvaluation.evaluate(lines: lines, identifier: identifier)
            try output.writeLine(evaluation.markdown)
            try output.flush()
            return
        }

        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var lines = try TextLineStream(path: input)
        // Lines already done still reach the output when a later line fails (invalid UTF-8).
        defer { try? output.flush() }
        while let line = try lines.next() {
            let guess = identifier.identify(line)
            if json {
                var scores: [String: Double] = [:]
                for (language, p) in guess.scores { scores[language.rawValue] = (p * 10_000).rounded() / 10_000 }
                let record = Record(
                    confidence: (guess.confidence * 10_000).rounded() / 10_000, label: guess.language.rawValue,
                    scores: scores, text: line)
                try output.writeLine(String(decoding: try encoder.encode(record), as: UTF8.self))
            } else {
                try output.writeLine("\(guess.language.rawValue)\t\(String(format: "%.4f", guess.confidence))\t\(line)")
            }
        }
        try output.flush()
    }
}
