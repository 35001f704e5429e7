import ArgumentParser
import Corpus
import Foundation

/// `aqyl corpus clean`: normalize, repair, filter and deduplicate documents into JSONL.
struct CorpusCleanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clean",
        abstract: "Clean a corpus: normalize, repair homoglyphs, filter by quality and language, drop duplicates.",
        discussion: """
        Inputs are plain text (a document per paragraph), JSONL (the --field string of each line) or a \
        MediaWiki XML dump (articles only, markup stripped, streamed). The format comes from the extension \
        (.txt, .jsonl, .xml), else from the first bytes; `-` reads stdin. A compressed dump is not read \
        directly: `bzcat kkwiki-latest-pages-articles.xml.bz2 | aqyl corpus clean - --out kk.jsonl`. \
        Writes one {"id","lang","lang_score","text"} line per kept document and prints a report. \
        See docs/corpus.md.
        """)

    @Argument(help: "Input files; `-` is stdin.") var inputs: [String]
    @Option(help: "Output JSONL file (`-`: stdout, and the report goes to stderr).") var out: String
    @Option(help: "text | jsonl | mediawiki (default: from the extension, else sniffed).") var format: String?
    @Option(help: "The JSONL field holding the text.") var field: String = "text"
    @Option(help: "Plain text: a document per `paragraph` (blank-line separated) or per `line`.") var unit: String = "paragraph"
    @Option(help: "Drop documents shorter than this many characters.") var minChars: Int = 20
    @Option(help: "Drop documents longer than this many characters (default: no limit).") var maxChars: Int?
    @Option(help: "Languages to keep, a comma list of kk, ru, en, other, mixed (default: all).") var langs: String?
    @Option(help: "Estimated Jaccard similarity (word 5-shingles) at or above which a document is a near duplicate; 1.01 turns the check off.")
    var nearDupThreshold: Double = 0.8
    @Option(help: "Near-duplicate verification: exact (Jaccard over stored shingles, 4 bytes per shingle) or estimate (MinHash signature agreement, less memory, noisier).")
    var nearDupVerify: LSHIndex.Verification = .exact
    @Option(help: "Also write the report as JSON to this file.") var report: String?
    @Option(help: "Write each dropped document as {\"id\",\"reason\",\"text\"} JSONL to this file, to audit the filters.")
    var dropped: String?
    @Option(name: .shortAndLong, help: "A model (short name or GGUF path) whose tokenizer measures tokens per word of the kept text.")
    var model: String?
    @Flag(help: "Stop at the first bad input record instead of skipping it.") var strict = false
    @Flag(help: "Print the report as JSON instead of a table.") var json = false

    func validate() throws {
        guard !inputs.isEmpty else { throw ValidationError("give at least one input file (or - for stdin)") }
        guard inputs.filter({ $0 == "-" }).count <= 1 else { throw ValidationError("stdin (-) can be read only once") }
        guard minChars >= 0 else { throw ValidationError("--min-chars must be 0 or more") }
        guard maxChars.map({ $0 >= minChars }) ?? true else { throw ValidationError("--max-chars must be at least --min-chars") }
        guard nearDupThreshold > 0 else { throw ValidationError("--near-dup-threshold must be above 0") }
        guard unit == "paragraph" || unit == "line" else { throw ValidationError("--unit must be paragraph or line") }
    }

    func run() async throws {
        var configuration = CleaningConfiguration()
        configuration.quality.minChars = minChars
        configuration.quality.maxChars = maxChars
        do {
            if let langs { configuration.languages = try CleaningConfiguration.parseLanguages(langs) }
        } catch { throw CLIError("--langs: \(error)") }
        if nearDupThreshold > 1 {
            configuration.nearDuplicates = nil
        } else {
            configuration.nearDuplicates?.threshold = nearDupThreshold
            configuration.nearDuplicates?.verification = nearDupVerify
        }
        let inputFormat: InputFormat?
        do { inputFormat = try format.map { try InputFormat(name: $0) } } catch { throw CLIError("--format: \(error)") }
        // Every input must exist before any output is written.
        for path in inputs where path != "-" {
            _ = try ByteSource(path: path)
        }

        let tokenizer = try await model.asyncMap { try await CorpusTokenizer.load($0) }
        var cleaner = CorpusCleaner(configuration: configuration, tokenizer: tokenizer.map { "\($0.model) (\($0.kind))" },
                                    tokenCount: tokenizer.map { t in { t.count($0) } })
        let writer = try JSONLWriter(path: out)
        let droppedWriter = try dropped.map { try JSONLWriter(path: $0) }
        let warnings = WarningPrinter()
        let progress = isatty(2) == 1
        for path in inputs {
            let reader = try InputFormat.openReader(path: path, format: inputFormat, field: field, strict: strict,
                                                    textUnit: unit == "line" ? .line : .paragraph, onWarning: warnings.print)
            while let document = try reader.next() {
                switch cleaner.process(document) {
                case .kept(let kept): try writer.write(kept)
                case .dropped(let reason): try droppedWriter?.write(record: DroppedRecord(id: document.id, reason: reason, text: document.text))
                }
                if progress, cleaner.report.inputDocuments % 10_000 == 0 {
                    printErr("\r\(cleaner.report.inputDocuments) documents read, \(writer.count) kept", terminator: "")
                }
            }
            cleaner.recordSkippedRecords(reader.warningCount)
        }
        try writer.close()
        try droppedWriter?.close()
        if progress, cleaner.report.inputDocuments >= 10_000 { printErr("") }
        warnings.finish()

        let result = cleaner.report
        guard result.inputDocuments > 0 else { throw CLIError(CorpusError.emptyInput.description) }
        if let report {
            do {
                try Data((try result.json() + "\n").utf8).write(to: URL(fileURLWithPath: report))
            } catch {
                throw CLIError("\(report): cannot write the report: \(error.localizedDescription)")
            }
        }
        let text = json ? try result.json() : result.table()
        if out == "-" { printErr(text) } else { print(text) }
    }
}

/// Prints the first few skipped-record warnings and counts the rest.
final class WarningPrinter {
    private var count = 0
    private let limit = 10

    func print(_ warning: ReaderWarning) {
        count += 1
        if count <= limit { printErr("aqyl: warning: \(warning)") }
    }

    func finish() {
        if count > limit { printErr("aqyl: warning: \(count - limit) more skipped records") }
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
