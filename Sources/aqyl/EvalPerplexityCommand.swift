import ArgumentParser
import Engine
import Evaluation
import Foundation

/// `aqyl eval perplexity`: perplexity, bits per byte and character, tokens per word.
struct EvalPerplexityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "perplexity",
        abstract: "Perplexity of a text file, with tokenizer-independent bits per byte and per character.")

    @OptionGroup var options: ModelOptions
    @OptionGroup var adapters: AdapterOptions

    @Option(help: "The text file (UTF-8).")
    var file: String

    @Option(help: "Window (rolling) or chunk (--llama-compatible) length in tokens.")
    var ctx: Int = 512

    @Flag(help: "llama-perplexity's convention: chunks of --ctx, BOS first, the second half of each chunk scored.")
    var llamaCompatible = false

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        guard ctx >= 4 else { throw ValidationError("--ctx must be at least 4") }
    }

    func run() async throws {
        guard let data = FileManager.default.contents(atPath: file) else { throw CLIError("\(file): cannot read the file") }
        guard let text = String(data: data, encoding: .utf8) else { throw CLIError("\(file): not UTF-8 text") }
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw CLIError("\(file): the file is empty") }
        let backend = try await EvalBackends.local(model: options.model, lora: adapters.adapters, threads: options.threads,
                                                   context: ctx, numerics: options.numerics)
        guard backend.contextLength >= ctx else {
            throw CLIError("--ctx \(ctx) exceeds the model's context of \(backend.contextLength)")
        }
        let evaluator = PerplexityEvaluator(backend: backend)
        let tokenizer = backend.model.tokenizer
        let started = Date()
        let result: PerplexityResult
        do {
            result = llamaCompatible
                ? try await evaluator.llamaCompatible(text, context: ctx, bos: tokenizer.addsBOS ? tokenizer.bosID : nil) { ids in
                    TextCounts(String(decoding: ids.flatMap { tokenizer.pieceBytes($0, special: false) }, as: UTF8.self))
                }
                : try await evaluator.rolling(text)
        } catch let error as EvaluationError {
            throw CLIError("\(error)")
        }
        let seconds = Date().timeIntervalSince(started)
        if json {
            struct Output: Encodable {
                var model: ModelIdentity, file: String, result: PerplexityResult
                var perplexity, bitsPerByte, bitsPerCharacter, wordPerplexity, tokensPerWord, seconds: Double
                enum CodingKeys: String, CodingKey {
                    case model, file, result, perplexity, seconds
                    case bitsPerByte = "bits_per_byte", bitsPerCharacter = "bits_per_char"
                    case wordPerplexity = "word_perplexity", tokensPerWord = "tokens_per_word"
                }
            }
            print(try ReportFormatter.json(Output(model: backend.identity, file: file, result: result, perplexity: result.perplexity,
                                                   bitsPerByte: result.bitsPerByte, bitsPerCharacter: result.bitsPerCharacter,
                                                   wordPerplexity: result.wordPerplexity, tokensPerWord: result.tokensPerWord,
                                                   seconds: seconds)))
            return
        }
        let t = result.text
        print("model:       \(backend.identity.label)\(backend.identity.adapters.isEmpty ? "" : " (adapters: \(backend.identity.adapters.joined(separator: ", ")))")")
        print("text:        \(file): \(t.bytes) bytes, \(t.characters) characters, \(t.words) words, \(result.textTokens) tokens")
        if result.convention == "llama-perplexity" {
            print("convention:  llama-perplexity, ctx \(ctx), \(result.chunks ?? 0) chunks, \(result.scoredTokens) tokens scored (second halves)")
            print(String(format: "perplexity:  %.4f ± %.4f", result.perplexity, result.perplexityStandardError ?? 0))
        } else {
            print("convention:  rolling windows of \(ctx) tokens, every token scored once (\(result.scoredTokens)), first from BOS")
            print(String(format: "perplexity:  %.4f", result.perplexity))
        }
        print(String(format: "bits/byte:   %.4f", result.bitsPerByte))
        print(String(format: "bits/char:   %.4f", result.bitsPerCharacter))
        print(String(format: "word ppl:    %.3f", result.wordPerplexity))
        print(String(format: "tokens/word: %.3f", result.tokensPerWord))
        FileHandle.standardOutput.synchronizeFile()
        printErr(String(format: "%.1f s", seconds))
    }
}
