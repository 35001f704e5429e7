import ArgumentParser
import Foundation

@main
struct Aqyl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aqyl",
        abstract: "Aqyl: a Kazakh-first LLM engine, chat server, fine-tuner and honest usage ledger.",
        subcommands: [
            ChatCommand.self, GenerateCommand.self, TokenizeCommand.self, InspectCommand.self,
            BenchCommand.self, ModelsCommand.self, ServeCommand.self, KeysCommand.self, StatsCommand.self, DataCommand.self,
            FinetuneCommand.self, AdapterCommand.self, MergeCommand.self, EvalCommand.self, CorpusCommand.self, VocabCommand.self,
        ]
    )

    /// Refuses non-UTF-8 arguments (Swift would silently repair them), then runs
    /// the command; every error becomes one line on stderr and a non-zero exit.
    static func main() async {
        if let index = firstInvalidUTF8Argument() {
            printErr("aqyl: error: argument \(index) is not valid UTF-8")
            Foundation.exit(2)
        }
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as CLIError {
            printErr("aqyl: error: \(error.description)")
            Foundation.exit(1)
        } catch {
            // Help, version and usage errors keep ArgumentParser's formatting and codes.
            if String(describing: type(of: error)).contains("CommandError") || error is ValidationError || error is ExitCode {
                exit(withError: error)
            }
            printErr("aqyl: error: \(error)")
            Foundation.exit(1)
        }
    }
}
