import ArgumentParser
import Engine
import Foundation

/// Sampling flags shared by `generate` and `chat`.
struct SamplingOptions: ParsableArguments {
    @Option(help: "Maximum tokens to generate.")
    var maxTokens: Int = 128

    @Option(help: "Temperature; 0 is greedy.")
    var temperature: Float = 0.8

    @Option(help: "Top-k (0 disables).")
    var topK: Int = 40

    @Option(help: "Top-p (1 disables).")
    var topP: Float = 0.95

    @Option(help: "Min-p (0 disables).")
    var minP: Float = 0.05

    @Option(help: "Repetition penalty (1 disables).")
    var repeatPenalty: Float = 1

    @Option(help: "Presence penalty.")
    var presencePenalty: Float = 0

    @Option(help: "Frequency penalty.")
    var frequencyPenalty: Float = 0

    @Option(help: "Random seed for reproducible sampling.")
    var seed: UInt64?

    @Option(help: "Stop string (repeatable).")
    var stop: [String] = []

    @Option(help: "Context length (default: min(training context, 4096)).")
    var ctx: Int?

    func validate() throws {
        guard maxTokens >= 0 else { throw ValidationError("--max-tokens must be ≥ 0") }
        guard temperature >= 0, temperature.isFinite else { throw ValidationError("--temperature must be ≥ 0") }
        guard topP > 0, topP <= 1 else { throw ValidationError("--top-p must be in (0, 1]") }
        guard minP >= 0, minP <= 1 else { throw ValidationError("--min-p must be in [0, 1]") }
        guard topK >= 0 else { throw ValidationError("--top-k must be ≥ 0") }
        if let ctx, ctx < 1 { throw ValidationError("--ctx must be ≥ 1") }
    }

    var parameters: SamplingParameters {
        var p = SamplingParameters()
        p.temperature = temperature
        p.topK = topK
        p.topP = topP
        p.minP = minP
        p.repetitionPenalty = repeatPenalty
        p.presencePenalty = presencePenalty
        p.frequencyPenalty = frequencyPenalty
        p.seed = seed
        return p
    }
}

/// `aqyl generate`: a raw completion, no chat template. Text to stdout, timings to stderr.
struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate", abstract: "Complete a raw prompt (no chat template).")

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var adapterOptions: AdapterOptions

    @Option(name: .shortAndLong, help: "The prompt text.")
    var prompt: String

    @OptionGroup var sampling: SamplingOptions

    func run() async throws {
        let model = try await modelOptions.load()
        let generator = model.makeGenerator(threads: modelOptions.threads, context: sampling.ctx)
        generator.adapters = try adapterOptions.stack(for: model)
        // BOS as the vocabulary's metadata says; special-token text in the prompt is honoured.
        let tokens = model.tokenizer.encode(prompt, addSpecial: true, parseSpecial: true)
        let result = try generator.generate(prompt: tokens, maxTokens: sampling.maxTokens,
                                            sampling: sampling.parameters, stop: sampling.stop) { piece in
            printStreaming(piece)
            return true
        }
        printStreaming("\n")
        let t = result.timings
        printErr(String(format: "prompt: %d tokens, %.1f t/s | generated: %d tokens, %.1f t/s",
                        t.promptTokens, t.promptTokensPerSecond, t.generatedTokens, t.generationTokensPerSecond)
                 + " | finish: \(result.finishReason.rawValue)")
    }
}
