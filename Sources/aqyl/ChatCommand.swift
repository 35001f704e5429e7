import ArgumentParser
import Engine
import Foundation
import Templates

/// `aqyl chat`: an interactive terminal chat with the model's chat template.
struct ChatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat",
        abstract: "Chat in the terminal (streaming; /reset clears history, /exit quits).")

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var adapterOptions: AdapterOptions

    @Option(help: "System prompt.")
    var system: String?

    @OptionGroup var sampling: SamplingOptions

    func run() async throws {
        let model = try await modelOptions.load()
        guard let formatter = model.chatFormatter else {
            throw CLIError("the model's chat template cannot be used: \(model.chatTemplateError ?? "unknown error")")
        }
        let generator = model.makeGenerator(threads: modelOptions.threads, context: sampling.ctx)
        generator.adapters = try adapterOptions.stack(for: model)
        var history: [ChatMessage] = system.map { [ChatMessage(role: "system", content: $0)] } ?? []
        let initial = history
        printErr("Aqyl chat with \(URL(fileURLWithPath: model.path).lastPathComponent). /reset clears the history, /exit quits.")
        while true {
            printErr("> ", terminator: "")
            guard let line = readLine(strippingNewline: true) else { break }
            let input = line.trimmingCharacters(in: .whitespaces)
            if input.isEmpty { continue }
            if input == "/exit" || input == "/quit" { break }
            if input == "/reset" {
                history = initial
                printErr("(history cleared)")
                continue
            }
            history.append(ChatMessage(role: "user", content: input))
            let tokens = try formatter.tokens(history, tokenizer: model.tokenizer)
            if tokens.count >= generator.contextLength {
                printErr("aqyl: the conversation (\(tokens.count) tokens) no longer fits the context of \(generator.contextLength); use /reset")
                history.removeLast()
                continue
            }
            let budget = min(sampling.maxTokens, generator.contextLength - tokens.count)
            let result = try generator.generate(prompt: tokens, maxTokens: budget, sampling: sampling.parameters,
                                                stop: sampling.stop) { piece in
                printStreaming(piece)
                return true
            }
            printStreaming("\n")
            history.append(ChatMessage(role: "assistant", content: result.text))
            printErr(String(format: "[%d tokens, %.1f t/s]", result.timings.generatedTokens,
                            result.timings.generationTokensPerSecond))
        }
    }
}
