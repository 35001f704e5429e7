import Dispatch
import Engine
import Foundation
import Synchronization

/// What a streamed generation yields.
enum GenerationEvent: Sendable {
    case text(String)
    case finished(GenerationResult)
}

/// One model served under an id. Generation is CPU-bound and synchronous, so it
/// runs on the model's own serial queue (never on the server's event loops or
/// the cooperative pool); requests for the same model take turns.
///
/// This first cut serves one sequence at a time per model; the scheduler with
/// batched decode steps (issue 3) replaces the queue.
final class ServedModel: Sendable {
    let id: String
    let model: LoadedModel
    let created: Int
    private let queue: DispatchQueue
    private let generator: Mutex<TextGenerator>

    init(id: String, model: LoadedModel, threads: Int, context: Int?) {
        self.id = id
        self.model = model
        created = Int(Date().timeIntervalSince1970)
        queue = DispatchQueue(label: "aqyl.model.\(id)")
        generator = Mutex(model.makeGenerator(threads: threads, context: context))
    }

    var contextLength: Int { generator.withLock { $0.contextLength } }

    /// Streams text pieces, then the result. Dropping the stream (a client that
    /// went away) cancels generation at the next token.
    func generate(prompt: [Int32], maxTokens: Int, sampling: SamplingParameters, stop: [String])
        -> AsyncThrowingStream<GenerationEvent, any Error>
    {
        let (stream, continuation) = AsyncThrowingStream<GenerationEvent, any Error>.makeStream()
        let cancelled = CancellationFlag()
        continuation.onTermination = { _ in cancelled.cancel() }
        queue.async { [self] in
            do {
                let result = try self.generator.withLock { g in
                    try g.generate(prompt: prompt, maxTokens: maxTokens, sampling: sampling, stop: stop) { piece in
                        continuation.yield(.text(piece))
                        return !cancelled.isCancelled
                    }
                }
                continuation.yield(.finished(result))
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        return stream
    }
}

/// Set once when the consumer of a generation goes away.
final class CancellationFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    func cancel() { flag.store(true, ordering: .relaxed) }
    var isCancelled: Bool { flag.load(ordering: .relaxed) }
}
