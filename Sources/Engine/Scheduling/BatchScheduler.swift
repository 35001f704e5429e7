import Foundation
import Kernels
import Models
import ServiceLifecycle
import Synchronization
import Tokenizers

/// Runs many generations of one model at once: continuous batching.
///
/// Each of `slots` sequences owns a KV cache (``SlotTable``, which also reuses a
/// cached prompt prefix). Every step runs one ``Transformer/forwardBatch(_:logitRows:pool:)``
/// with one row per decoding sequence, then up to `prefillChunk` rows of waiting
/// prompts (``BatchPlanner``). New requests join at the next step; finished ones leave
/// at once. Requests beyond the free slots wait in a bounded FIFO queue; past it,
/// ``submit(_:)`` refuses (``AdmissionQueue``). Metrics go to a ``SchedulerObserver``.
///
/// The steps run on one thread of the scheduler's own, with a ``ThreadPool`` for the
/// matmuls; both start with the service (``run()``) or the first ``submit(_:)``, and end
/// when the scheduler stops. As a `Service` it stops when its service group shuts down:
/// it refuses new requests, lets the running ones finish, and returns once its thread and
/// pool are gone. Used directly, call ``shutdown()``. A scheduler that never ran holds
/// no thread (an application built and dropped leaves nothing behind).
public final class BatchScheduler: Service, @unchecked Sendable {
    // @unchecked: the admission queue is the only state shared with submitting tasks
    // (and it locks); slots and planner are touched only by the scheduler thread.
    public struct Configuration: Sendable {
        public var slots = 4
        public var queueLimit = 64
        public var contextLength = 4096
        /// Prompt tokens per step, shared by all prompts being evaluated.
        public var prefillChunk = 256

        public init(slots: Int = 4, queueLimit: Int = 64, contextLength: Int = 4096, prefillChunk: Int = 256) {
            self.slots = slots
            self.queueLimit = queueLimit
            self.contextLength = contextLength
            self.prefillChunk = prefillChunk
        }
    }

    public let configuration: Configuration
    public let model: Transformer
    public let tokenizer: any Tokenizer
    private let observer: SchedulerObserver
    private let admission: AdmissionQueue
    /// Set by ``cancelAll()``; the scheduler thread cancels what is in its slots at the next step.
    private let cancelEverything = Atomic<Bool>(false)
    private let table: SlotTable
    private var planner: BatchPlanner
    private let threads: Int
    /// Whether the scheduler thread was started (it starts once).
    private let started = Atomic<Bool>(false)
    /// Whether the thread has exited, and who waits for it to.
    private let exit = Mutex<(done: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    public init(model: Transformer, tokenizer: any Tokenizer, threads: Int, configuration: Configuration,
                observer: SchedulerObserver = SchedulerObserver()) {
        self.model = model
        self.tokenizer = tokenizer
        self.configuration = configuration
        self.observer = observer
        table = SlotTable(count: configuration.slots) { model.makeCache(capacity: configuration.contextLength) }
        admission = AdmissionQueue(capacity: table.slots.count, queueLimit: configuration.queueLimit)
        planner = BatchPlanner(prefillChunk: configuration.prefillChunk)
        self.threads = threads
    }

    /// Starts the scheduler thread unless it already runs (or ran).
    private func startIfNeeded() {
        guard started.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return }
        let threads = threads
        let thread = Thread { [self] in
            // Named for debuggers and /proc (Foundation's `Thread.name` does not reach the OS thread here).
            ThreadPool.nameCurrentThread("aqyl-scheduler")
            // The pool lives exactly as long as the thread: its workers are joined when the loop ends.
            loop(pool: ThreadPool(threads: threads))
            finished()
        }
        thread.start()
    }

    public var contextLength: Int { configuration.contextLength }

    /// Requests waiting for a slot and sequences in flight, for `/health` and metrics.
    public var load: (waiting: Int, active: Int) { admission.load }

    /// Queues a generation. The stream ends after `.finished`; dropping it
    /// (a client that went away) cancels the generation at the next step.
    public func submit(_ request: GenerationRequest) throws(SchedulerError) -> AsyncThrowingStream<GenerationEvent, any Error> {
        guard !request.prompt.isEmpty else { throw .emptyPrompt }
        let needed = request.prompt.count + (request.maxTokens > 0 ? 1 : 0)
        guard needed <= configuration.contextLength else {
            throw .promptTooLong(tokens: request.prompt.count, context: configuration.contextLength)
        }
        let vocabulary = model.config.vocabulary
        if let bad = request.prompt.first(where: { $0 < 0 || Int($0) >= vocabulary }) {
            throw .tokenOutOfVocabulary(bad, vocabulary: vocabulary)
        }
        let (stream, continuation) = AsyncThrowingStream<GenerationEvent, any Error>.makeStream()
        let job = SchedulerJob(request: request, continuation: continuation)
        continuation.onTermination = { [weak job] _ in job?.cancel() }
        do {
            try admission.enqueue(job)
        } catch {
            continuation.finish()
            throw error
        }
        startIfNeeded()
        return stream
    }

    /// Stops taking requests; the thread exits once in-flight sequences finish. (A thread
    /// that never started starts now, to end what was queued and to let ``stopped()`` return.)
    public func shutdown() {
        admission.shutdown()
        startIfNeeded()
    }

    /// Ends every generation, waiting or running, as if its client had gone away: each
    /// stream finishes (reason `cancelled`) at the next step. For a shutdown that must not
    /// wait for long generations.
    public func cancelAll() {
        admission.cancelAll { cancelEverything.store(true, ordering: .relaxed) }
    }

    /// The scheduler as a service: runs until the group shuts down (or this task is
    /// cancelled), then stops taking requests and waits for the running ones to finish
    /// and the thread and its pool to end. A shutdown that must not wait for long
    /// generations calls ``cancelAll()`` (the server's watchdog does, after its grace).
    public func run() async {
        startIfNeeded()
        try? await gracefulShutdown()
        shutdown()
        await stopped()
    }

    /// Whether the scheduler thread (and its pool) exists now: started and not yet ended.
    public var isRunning: Bool {
        started.load(ordering: .acquiring) && !exit.withLock { $0.done }
    }

    /// Returns once the scheduler thread has exited (after ``shutdown()``).
    public func stopped() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = exit.withLock { state in
                if state.done { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    private func finished() {
        let waiters = exit.withLock { state in
            state.done = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    // MARK: - The scheduler thread

    private func loop(pool: ThreadPool) {
        while let (admitted, waiting, active) = admission.admit() {
            observer.queueDepth(waiting)
            observer.activeSequences(active)
            for job in admitted { start(job) }
            step(pool: pool)
        }
    }

    private func start(_ job: SchedulerJob) {
        // Admission counted a free slot, so placing cannot fail.
        guard let slot = table.place(job) else { return }
        slot.state = DecodingState(prompt: job.request.prompt, maxTokens: job.request.maxTokens, sampling: job.request.sampling,
                                   stop: job.request.stop, tokenizer: tokenizer, jsonObject: job.request.jsonObject,
                                   jsonSchema: job.request.jsonSchema, toolCalls: job.request.toolCalls)
        observer.promptTokens(job.request.prompt.count)
    }

    private func step(pool: ThreadPool) {
        let slots = table.slots
        if cancelEverything.load(ordering: .relaxed) { for slot in slots { slot.job?.cancel() } }
        for slot in slots where slot.job?.isCancelled == true { finish(slot, reason: .cancelled) }

        let (decode, full) = planner.decodePass(slots)
        for slot in full {
            let tail = slot.state?.finishForLength() ?? ""
            if !tail.isEmpty { slot.job?.continuation.yield(.text(tail)) }
            finish(slot, reason: .length)
        }
        execute(decode, pool: pool)
        for pass in planner.prefillPasses(slots) { execute(pass, pool: pool) }
    }

    /// One forward pass, then each planned slot takes its logits.
    private func execute(_ pass: PlannedPass, pool: ThreadPool) {
        guard !pass.rows.isEmpty else { return }
        let logits: [Float], hidden: [Float]
        do {
            (logits, hidden) = try model.forwardBatch(pass.rows, logitRows: pass.logitRows, hiddenRows: pass.hiddenRows, pool: pool)
        } catch {
            for part in pass.parts { fail(part.slot, error) }
            return
        }
        let vocab = model.config.vocabulary
        for part in pass.parts {
            let slot = part.slot
            let chunk = pass.rows[part.rows].map(\.token)
            slot.cachedTokens += chunk
            if part.hidden, let pooling = slot.job?.request.embedding {
                // Embedding prefill: this part's rows are all of the pass's hidden rows.
                let width = model.config.embedding
                if slot.embedding == nil { slot.embedding = EmbeddingAccumulator(pooling: pooling, width: width) }
                slot.embedding?.add(hidden[0..<(part.rows.count * width)])
                slot.pending.removeFirst(chunk.count)
                if slot.pending.isEmpty { finish(slot, reason: .stop, embedding: slot.embedding?.result()) }
                continue
            }
            func row(_ i: Int) -> ArraySlice<Float> { logits[(part.firstLogit + i) * vocab..<(part.firstLogit + i + 1) * vocab] }
            guard part.isPrefill else {
                accept(Array(row(0)), in: slot)
                continue
            }
            slot.pending.removeFirst(chunk.count)
            if let top = slot.job?.request.promptLogprobs {
                // Row i predicts the prompt token after it.
                let promptCount = slot.job?.request.prompt.count ?? 0
                for i in 0..<part.logitCount where slot.promptLogprobs.count < promptCount {
                    let next = slot.job?.request.prompt[slot.promptLogprobs.count] ?? 0
                    slot.promptLogprobs.append(row(i).withUnsafeBufferPointer {
                        TokenLogprob.compute($0, token: next, top: top)
                    })
                }
            }
            guard slot.pending.isEmpty, part.logitCount > 0 else { continue }
            if slot.job?.request.promptLogprobs != nil {
                slot.job?.continuation.yield(.promptLogprobs(slot.promptLogprobs))
            }
            accept(Array(row(part.logitCount - 1)), in: slot)
        }
    }

    /// Samples from a sequence's newest logits and streams what it produced.
    private func accept(_ logits: [Float], in slot: SequenceSlot) {
        guard let job = slot.job, var state = slot.state else { return }
        let now = Date()
        if job.request.maxTokens == 0 {
            finish(slot, reason: .length)
            return
        }
        let step = state.step(logits)
        slot.state = state
        if let token = step.token {
            if let last = slot.lastTokenAt {
                observer.interToken(now.timeIntervalSince(last))
            } else {
                observer.firstToken(now.timeIntervalSince(job.submittedAt))
                slot.firstTokenAt = now
            }
            slot.lastTokenAt = now
            observer.generatedTokens(1)
            if let top = job.request.logprobs {
                job.continuation.yield(.tokenLogprob(logits.withUnsafeBufferPointer {
                    TokenLogprob.compute($0, token: token, top: top)
                }))
            }
        }
        if !step.piece.isEmpty { job.continuation.yield(.text(step.piece)) }
        if let reason = step.finish {
            finish(slot, reason: reason)
        } else {
            slot.next = step.token
        }
    }

    private func finish(_ slot: SequenceSlot, reason: FinishReason, embedding: [Float]? = nil) {
        guard let job = slot.job else { return }
        let end = Date()
        var timings = GenerationTimings()
        timings.promptTokens = job.request.prompt.count
        let firstToken = slot.firstTokenAt ?? end
        timings.promptSeconds = firstToken.timeIntervalSince(slot.admittedAt)
        timings.generatedTokens = slot.state?.generated.count ?? 0
        timings.generationSeconds = end.timeIntervalSince(firstToken)
        let result = GenerationResult(text: slot.state?.text ?? "", tokens: slot.state?.generated ?? [],
                                      finishReason: reason, timings: timings, embedding: embedding)
        job.continuation.yield(.finished(result))
        job.continuation.finish()
        table.release(slot)
        observer.activeSequences(admission.release())
    }

    private func fail(_ slot: SequenceSlot, _ error: any Error) {
        slot.job?.continuation.finish(throwing: error)
        table.discard(slot)
        observer.activeSequences(admission.release())
    }
}
