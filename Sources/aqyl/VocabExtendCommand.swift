import ArgumentParser
import Corpus
import Foundation
import GGUF
import Tokenizers
import VocabExtension

/// `aqyl vocab extend`: learn new tokens from a corpus and write the extended model.
struct VocabExtendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extend",
        abstract: "Learn new tokens from a corpus and append them to a model's vocabulary and embedding.",
        discussion: """
        Byte-level BPE vocabularies (Llama-3, Qwen2, SmolLM2) get new merges after the existing ones; \
        SentencePiece vocabularies (Gemma) get new pieces scored below the existing ones. Each new \
        embedding row (and output row, when the model's output matrix is not tied) starts as the mean \
        of the rows of the pieces the old tokenizer used for it (FVT). The result is a normal GGUF file \
        that llama.cpp loads; teach the new tokens with `aqyl finetune train --train-embeddings new`. \
        Compare tokens per word before and after with `aqyl corpus fertility -m MODEL -m OUT FILE`.
        """)

    @Option(name: .shortAndLong, help: "A model short name or GGUF path.") var model: String
    @Option(name: .long, parsing: .upToNextOption,
            help: ArgumentHelp("Corpus files (plain text, JSONL or a MediaWiki dump): `--corpus a.txt b.txt` or `--corpus` repeated.",
                               valueName: "file"))
    var corpus: [String]
    @Option(name: .long, help: "How many tokens to add (1...\(VocabularyExtender.maxAdded)).") var add: Int
    @Option(name: .shortAndLong, help: "Where to write the extended model (.gguf).") var out: String
    @Option(name: .long, help: "Learn only pairs seen at least this often (≥ 2).") var minFrequency: Int = 3
    @Option(help: "text | jsonl | mediawiki (default: from the extension, else sniffed).") var format: String?
    @Option(help: "The JSONL field holding the text.") var field: String = "text"
    @Flag(help: "Print a JSON summary (with every learned token) instead of text.") var json = false

    func validate() throws {
        guard !corpus.isEmpty else { throw ValidationError("give at least one --corpus FILE") }
        guard (1...VocabularyExtender.maxAdded).contains(add) else {
            throw ValidationError("--add must be 1...\(VocabularyExtender.maxAdded)")
        }
        guard minFrequency >= 2 else { throw ValidationError("--min-frequency must be at least 2") }
        guard out.hasSuffix(".gguf") else { throw ValidationError("--out must name a .gguf file") }
    }

    /// What `--json` prints.
    struct Summary: Encodable {
        var model: String
        var out: String
        var family: VocabularyFamily
        var baseVocabularySize: Int
        var requested: Int
        var added: Int
        var corpusUnits: Int
        var distinctUnits: Int
        var seconds: Double
        var tokens: [Token]

        struct Token: Encodable {
            var id: Int32
            var text: String
            var piece: String
            var pieces: Int
            var frequency: Int
        }

        private enum CodingKeys: String, CodingKey {
            case model, out, family, requested, added, seconds, tokens
            case baseVocabularySize = "base_vocab_size", corpusUnits = "corpus_units", distinctUnits = "distinct_units"
        }
    }

    func run() async throws {
        let inputFormat: InputFormat?
        do { inputFormat = try format.map { try InputFormat(name: $0) } } catch { throw CLIError("--format: \(error)") }
        let modelPath = try await ModelArgument.path(model)
        if URL(fileURLWithPath: modelPath).standardizedFileURL.path == URL(fileURLWithPath: out).standardizedFileURL.path {
            throw CLIError("--out is the model file itself; write the extended model to a new file")
        }
        let file = try GGUFFile(path: modelPath)
        let family = try VocabularyExtender.family(of: file)
        guard let tokenizer = try TokenizerFactory.load(from: file) as? any MergeUnitTokenizer else {
            throw CLIError("\(model): this tokenizer cannot be extended")
        }
        try VocabularyExtender.check(count: add, vocabularySize: tokenizer.vocabularySize)

        let start = Date()
        var units = CorpusUnits(tokenizer: tokenizer)
        let warnings = WarningPrinter()
        for path in corpus { try units.add(file: path, format: inputFormat, field: field, onWarning: warnings.print) }
        warnings.finish()
        guard units.total > 0 else { throw CLIError(VocabExtensionError.emptyCorpus.description) }
        let learned = VocabularyLearner.learn(units: units.segmented(), base: VocabularyExtender.base(of: tokenizer),
                                              count: add, minFrequency: minFrequency)
        guard !learned.isEmpty else {
            throw CLIError("no pair of tokens occurs \(minFrequency) times in the corpus: nothing to learn (a larger corpus or a lower --min-frequency)")
        }
        let writer = try VocabularyExtender.extend(file, with: learned)
        try writer.write(to: out)
        let seconds = Date().timeIntervalSince(start)

        let tokens = learned.map { t in
            Summary.Token(id: t.id, text: t.text, piece: String(decoding: pieceBytes(t, tokenizer), as: UTF8.self),
                          pieces: t.pieces.count, frequency: t.frequency)
        }
        if json {
            let summary = Summary(model: model, out: out, family: family, baseVocabularySize: tokenizer.vocabularySize,
                                  requested: add, added: learned.count, corpusUnits: units.total,
                                  distinctUnits: units.distinct, seconds: seconds, tokens: tokens)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(summary), as: UTF8.self))
        } else {
            print("learned \(learned.count) \(family == .byteLevelBPE ? "BPE merges" : "SentencePiece pieces") from "
                  + "\(units.total) units (\(units.distinct) distinct) in \(String(format: "%.1f", seconds)) s")
            print("vocabulary \(tokenizer.vocabularySize) -> \(tokenizer.vocabularySize + learned.count); wrote \(out)")
            print("most frequent: " + tokens.prefix(24).map { "'\($0.piece)'" }.joined(separator: " "))
            print("compare: aqyl corpus fertility -m \(model) -m \(out) FILE")
        }
        if learned.count < add {
            printErr("warning: only \(learned.count) of \(add) tokens: no other pair occurs \(minFrequency) times in the corpus")
        }
    }

    /// The text a learned token stands for: its pieces' bytes.
    private func pieceBytes(_ t: LearnedToken, _ tokenizer: any Tokenizer) -> [UInt8] {
        t.pieces.flatMap { tokenizer.pieceBytes($0, special: false) }
    }
}
