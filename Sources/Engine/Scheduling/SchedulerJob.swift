import Foundation
import Synchronization

/// A submitted request and its stream.
final class SchedulerJob: Sendable {
    let request: GenerationRequest
    let continuation: AsyncThrowingStream<GenerationEvent, any Error>.Continuation
    let submittedAt = Date()
    private let cancelled = Atomic<Bool>(false)

    init(request: GenerationRequest, continuation: AsyncThrowingStream<GenerationEvent, any Error>.Continuation) {
        self.request = request
        self.continuation = continuation
    }

    /// Called from any thread (a dropped stream, a shutdown); the scheduler thread acts on
    /// it at its next step.
    func cancel() { cancelled.store(true, ordering: .relaxed) }
    var isCancelled: Bool { cancelled.load(ordering: .relaxed) }
}
