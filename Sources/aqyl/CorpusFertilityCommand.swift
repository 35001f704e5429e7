import ArgumentParser
import Corpus
import Foundation

/// `aqyl corpus fertility`: what a text costs each model's tokenizer.
struct CorpusFertilityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fertility",
        abstract: "Tokens per word, characters per token and bytes per token of a text, per model tokenizer.",
        discussion: """
        Words are runs of letters and digits (the same definition as `corpus clean`). The file is read \
        as documents (paragraphs of plain text, JSONL --field values, or dump articles) and each document \
        is tokenized without BOS/EOS, so separators between documents are not counted.
        """)

    @Option(name: .shortAndLong, help: "A model short name or GGUF path; repeat to compare.") var model: [String]
    @Argument(help: "The text file (`-` is stdin).") var file: String
    @Option(help: "text | jsonl | mediawiki (default: from the extension, else sniffed).") var format: String?
    @Option(help: "The JSONL field holding the text.") var field: String = "text"
    @Flag(help: "Print JSON instead of a table.") var json = false

    func validate() throws {
        guard !model.isEmpty else { throw ValidationError("give at least one --model") }
    }

    /// One tokenizer's row.
    struct Row: Encodable {
        var model: String
        var tokenizer: String
        var vocabSize: Int
        var cost: TokenizerCost

        private enum CodingKeys: String, CodingKey { case model, tokenizer, vocabSize = "vocab_size", cost }
    }

    func run() async throws {
        let inputFormat: InputFormat?
        do { inputFormat = try format.map { try InputFormat(name: $0) } } catch { throw CLIError("--format: \(error)") }
        var tokenizers: [CorpusTokenizer] = []
        for m in model { tokenizers.append(try await CorpusTokenizer.load(m)) }
        let warnings = WarningPrinter()
        let reader = try InputFormat.openReader(path: file, format: inputFormat, field: field, onWarning: warnings.print)
        var costs = [TokenizerCost](repeating: TokenizerCost(), count: tokenizers.count)
        var documents = 0
        while let document = try reader.next() {
            documents += 1
            for (k, t) in tokenizers.enumerated() {
                costs[k].add(TokenizerCost(text: document.text, tokenCount: t.count))
            }
        }
        warnings.finish()
        guard documents > 0, costs.first.map({ $0.words > 0 }) ?? false else {
            throw CLIError("\(file): \(CorpusError.emptyInput.description)")
        }
        let rows = zip(tokenizers, costs).map { Row(model: $0.model, tokenizer: $0.kind, vocabSize: $0.tokenizer.vocabularySize, cost: $1) }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(rows), as: UTF8.self))
            return
        }
        print(Self.table(rows, documents: documents))
    }

    static func table(_ rows: [Row], documents: Int) -> String {
        let header = ["model", "tokenizer", "vocab", "words", "tokens", "tokens/word", "vs first", "chars/token", "bytes/token"]
        // Before/after at a glance (e.g. a model and its `aqyl vocab extend`ed copy).
        let first = rows.first?.cost.tokensPerWord ?? 0
        let body = rows.enumerated().map { k, r in
            [r.model, r.tokenizer, String(r.vocabSize), String(r.cost.words), String(r.cost.tokens),
             String(format: "%.3f", r.cost.tokensPerWord),
             k == 0 || first == 0 ? "" : String(format: "%+.1f%%", (r.cost.tokensPerWord / first - 1) * 100),
             String(format: "%.2f", r.cost.charsPerToken), String(format: "%.2f", r.cost.bytesPerToken)]
        }
        let widths = header.indices.map { c in ([header] + body).map { $0[c].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { c, cell in
                let pad = String(repeating: " ", count: widths[c] - cell.count)
                return c < 2 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }
        let c = rows.first?.cost
        let summary = "\(documents) documents, \(c?.words ?? 0) words, \(c?.characters ?? 0) characters, \(c?.bytes ?? 0) UTF-8 bytes"
        return ([summary, line(header)] + body.map(line)).joined(separator: "\n")
    }
}
