import ArgumentParser
import Foundation

/// How tasks are run, shared by `eval run` and `eval compare`.
struct EvalRunOptions: ParsableArguments {
    @Option(help: "Solved examples before each question (default 0).")
    var shots: Int?

    @Option(help: "Only the first N items of each task.")
    var limit: Int?

    @Option(help: "Context length for local models (also the perplexity window).")
    var ctx: Int?

    @Option(help: NumericsOption.help)
    var numerics: NumericsOption = .fast

    @Option(name: .shortAndLong, help: "Worker threads for local models.")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        if let shots, !(0...25).contains(shots) { throw ValidationError("--shots must be between 0 and 25") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        if let ctx, ctx < 16 { throw ValidationError("--ctx must be at least 16") }
        guard threads >= 1, threads <= 256 else { throw ValidationError("--threads must be between 1 and 256") }
    }
}
