import Foundation
import Kernels
import Models
import Synchronization
import Tokenizers

/// Hooks for metrics; every closure runs on the scheduler thread and must be cheap.
public struct SchedulerObserver: Sendable {
    public var queueDepth: @Sendable (Int) -> Void = { _ in }
    public var activeSequences: @Sendable (Int) -> Void = { _ in }
    public var promptTokens: @Sendable (Int) -> Void = { _ in }
    public var generatedTokens: @Sendable (Int) -> Void = { _ in }
    /// Seconds from submission to the first generated token.
    public var firstToken: @Sendable (Double) -> Void = { _ in }
    /// Seconds between consecutive generated tokens of one sequence.
    public var interToken: @Sendable (Double) -> Void = { _ in }

    public init() {}
}

/// Runs many generations of one model at once: continuous batching.
///
/// Each of `slots` sequences owns a KV cache. Every step runs one
/// ``Transformer/forwardBatch(_:logitRows:pool:)`` with one row per decoding
/// sequence, so the quantized weights are read once per step for all of them,
/// then up to `prefillChunk` rows of waiting prompts (one pass per prompt), so
/// a long prompt never stalls the others for more than one chunk. New requests
/// join at the next step; finished ones leave at once. Requests beyond the
/// free slots wait in a bounded FIFO queue; past it, ``submit(_:)`` refuses.
///
/// A slot keeps its cache after a request ends, and a new request takes the
/// free slot whose cached tokens share the longest prefix with its prompt, so
/// a conversation's next turn only evaluates the new turn.
public final class BatchScheduler: @unchecked Sendable {
    // @unchecked: `waiting`, `busy` and `shuttingDown` are guarded by
    // `condition`; slots are touched only by the scheduler thread.
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
    private let pool: ThreadPool
    private let observer: SchedulerObserver
    private let condition = NSCondition()
    private var waiting: [Job] = []
    private var busy = 0
    private var shuttingDown = false
    /// Set by ``cancelAll()``; the scheduler thread cancels what is in its slots at the next step.
    private let cancelEverything = Atomic<Bool>(false)
    private var slots: [Slot]
    private var prefillCursor = 0

    public init(model: Transformer, tokenizer: any Tokenizer, threads: Int, configuration: Configuration,
                observer: SchedulerObserver = SchedulerObserver()) {
        self.model = model
        self.tokenizer = tokenizer
        self.configuration = configuration
        self.observer = observer
        pool = ThreadPool(threads: threads)
        slots = (0..<max(1, configuration.slots)).map { _ in Slot(cache: model.makeCache(capacity: configuration.contextLength)) }
        let thread = Thread { [self] in run() }
        thread.name = "aqyl-scheduler"
        thread.start()
    }

    public var contextLength: Int { configuration.contextLength }

    /// Requests waiting for a slot and sequences in flight, for `/health` and metrics.
    public var load: (waiting: Int, active: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (waiting.count, busy)
    }

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
        let job = Job(request: request, continuation: continuation)
        continuation.onTermination = { [weak job] _ in job?.cancel() }
        condition.lock()
        defer { condition.unlock() }
        if shuttingDown { throw .shuttingDown }
        // In flight plus waiting, so the answer does not race the thread's admission.
        if waiting.count + busy >= slots.count + configuration.queueLimit {
            throw .queueFull(limit: configuration.queueLimit)
        }
        waiting.append(job)
        condition.signal()
        return stream
    }

    /// Stops taking requests; the thread exits once in-flight sequences finish.
    public func shutdown() {
        condition.lock()
        shuttingDown = true
        condition.signal()
        condition.unlock()
    }

    /// Ends every generation, waiting or running, as if its client had gone away: each
    /// stream finishes (reason `cancelled`) at the next step. For a shutdown that must not
    /// wait for long generations.
    public func cancelAll() {
        condition.lock()
        for job in waiting { job.cancel() }
        cancelEverything.store(true, ordering: .relaxed)
        condition.signal()
        condition.unlock()
    }

    // MARK: - The scheduler thread

    private func run() {
        while true {
            condition.lock()
            while waiting.isEmpty && busy == 0 && !shuttingDown { condition.wait() }
            if shuttingDown && waiting.isEmpty && busy == 0 {
                condition.unlock()
                return
            }
            var admitted: [Job] = []
            while busy < slots.count, !waiting.isEmpty {
                let job = waiting.removeFirst()
                if job.isCancelled { job.continuation.finish(); continue }
                admitted.append(job)
                busy += 1
            }
            let depth = waiting.count, active = busy
            condition.unlock()
            observer.queueDepth(depth)
            observer.activeSequences(active)
            for job in admitted { assign(job) }
            step()
        }
    }

    /// Puts a job in the free slot whose cache shares the longest prefix with its prompt.
    private func assign(_ job: Job) {
        let prompt = job.request.prompt
        let reuse = job.request.promptLogprobs == nil
        var best = -1, bestCommon = -1
        for (i, slot) in slots.enumerated() where slot.job == nil {
            // Keys and values depend on the adapter: reuse only a cache made with the same one.
            let sameAdapters = slot.cachedAdapters === job.request.adapters
            let common = reuse && sameAdapters ? commonPrefix(slot.cachedTokens, prompt) : 0
            if common > bestCommon { best = i; bestCommon = common }
        }
        guard best >= 0 else { return }  // unreachable: admission counted a free slot
        let slot = slots[best]
        // Always evaluate at least the last prompt token, for its logits.
        let common = min(bestCommon, prompt.count - 1)
        slot.cache.truncate(to: common)
        slot.cachedTokens.removeSubrange(common...)
        slot.cachedAdapters = job.request.adapters
        slot.job = job
        slot.pending = prompt[common...]
        slot.next = nil
        slot.state = DecodingState(prompt: prompt, maxTokens: job.request.maxTokens, sampling: job.request.sampling,
                                   stop: job.request.stop, tokenizer: tokenizer, jsonObject: job.request.jsonObject)
        slot.promptLogprobs = job.request.promptLogprobs != nil ? [nil] : []
        slot.admittedAt = Date()
        slot.firstTokenAt = nil
        slot.lastTokenAt = nil
        observer.promptTokens(prompt.count)
    }

    private func commonPrefix(_ a: [Int32], _ b: [Int32]) -> Int {
        var n = 0
        while n < min(a.count, b.count), a[n] == b[n] { n += 1 }
        return n
    }

    /// How one slot's rows sit in a step's batch.
    private struct Planned {
        var slot: Slot
        var rows: Range<Int>
        var isPrefill: Bool
        /// Index of this slot's first logits row in the step's output.
        var firstLogit: Int
        var logitCount: Int
    }

    private func step() {
        if cancelEverything.load(ordering: .relaxed) { for slot in slots { slot.job?.cancel() } }
        for slot in slots where slot.job?.isCancelled == true { finish(slot, reason: .cancelled) }

        var batch: [Transformer.BatchRow] = []
        var logitRows: [Int] = []
        var plan: [Planned] = []
        // One row per decoding sequence.
        for slot in slots where slot.job != nil {
            guard let token = slot.next else { continue }
            if slot.cache.count >= slot.cache.capacity {
                let tail = slot.state?.finishForLength() ?? ""
                if !tail.isEmpty { slot.job?.continuation.yield(.text(tail)) }
                finish(slot, reason: .length)
                continue
            }
            plan.append(Planned(slot: slot, rows: batch.count..<(batch.count + 1), isPrefill: false,
                                firstLogit: logitRows.count, logitCount: 1))
            logitRows.append(batch.count)
            batch.append(.init(token: token, cache: slot.cache, position: slot.cache.count, adapters: slot.cachedAdapters))
        }
        run(batch, logitRows: logitRows, plan: plan)

        // Prompt chunks, round-robin over prefilling sequences so none starves.
        // Each chunk runs as its own pass: the quantized matmul kernels group
        // rows in fours and eights, so a prompt's numbers (and the logprobs a
        // harness sums) would otherwise depend on what shared its batch.
        var budget = configuration.prefillChunk
        for k in 0..<slots.count where budget > 0 {
            let slot = slots[(prefillCursor + k) % slots.count]
            guard let job = slot.job, slot.next == nil, !slot.pending.isEmpty else { continue }
            let wantsAll = job.request.promptLogprobs != nil
            // Scoring takes llama.cpp's whole 512-row micro-batch, so its numbers match llama-perplexity's.
            let take = min(wantsAll ? max(budget, 512) : budget, slot.pending.count)
            let chunk = slot.pending.prefix(take)
            let completes = take == slot.pending.count
            var rows: [Transformer.BatchRow] = []
            var logits: [Int] = []
            for (i, token) in chunk.enumerated() {
                if wantsAll || (completes && i == take - 1) { logits.append(rows.count) }
                rows.append(.init(token: token, cache: slot.cache, position: slot.cache.count + i, adapters: slot.cachedAdapters))
            }
            run(rows, logitRows: logits, plan: [Planned(slot: slot, rows: 0..<rows.count, isPrefill: true,
                                                        firstLogit: 0, logitCount: logits.count)])
            budget -= take
        }
        prefillCursor = (prefillCursor + 1) % slots.count
    }

    /// One forward pass over `batch`, then each planned slot takes its logits.
    private func run(_ batch: [Transformer.BatchRow], logitRows: [Int], plan: [Planned]) {
        guard !batch.isEmpty else { return }
        let logits: [Float]
        do {
            logits = try model.forwardBatch(batch, logitRows: logitRows, pool: pool)
        } catch {
            for p in plan { fail(p.slot, error) }
            return
        }
        let vocab = model.config.vocabulary
        for p in plan {
            let slot = p.slot
            let chunk = batch[p.rows].map(\.token)
            slot.cachedTokens += chunk
            func row(_ i: Int) -> ArraySlice<Float> { logits[(p.firstLogit + i) * vocab..<(p.firstLogit + i + 1) * vocab] }
            if p.isPrefill {
                slot.pending.removeFirst(chunk.count)
                if let top = slot.job?.request.promptLogprobs {
                    // Row i predicts the prompt token after it.
                    let promptCount = slot.job?.request.prompt.count ?? 0
                    for i in 0..<p.logitCount where slot.promptLogprobs.count < promptCount {
                        let next = slot.job?.request.prompt[slot.promptLogprobs.count] ?? 0
                        slot.promptLogprobs.append(row(i).withUnsafeBufferPointer {
                            TokenLogprob.compute($0, token: next, top: top)
                        })
                    }
                }
                guard slot.pending.isEmpty, p.logitCount > 0 else { continue }
                if slot.job?.request.promptLogprobs != nil {
                    slot.job?.continuation.yield(.promptLogprobs(slot.promptLogprobs))
                }
                accept(Array(row(p.logitCount - 1)), in: slot)
            } else {
                accept(Array(row(0)), in: slot)
            }
        }
    }

    /// Samples from a sequence's newest logits and streams what it produced.
    private func accept(_ logits: [Float], in slot: Slot) {
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

    private func finish(_ slot: Slot, reason: FinishReason) {
        guard let job = slot.job else { return }
        let end = Date()
        var timings = GenerationTimings()
        timings.promptTokens = job.request.prompt.count
        let firstToken = slot.firstTokenAt ?? end
        timings.promptSeconds = firstToken.timeIntervalSince(slot.admittedAt)
        timings.generatedTokens = slot.state?.generated.count ?? 0
        timings.generationSeconds = end.timeIntervalSince(firstToken)
        let result = GenerationResult(text: slot.state?.text ?? "", tokens: slot.state?.generated ?? [],
                                      finishReason: reason, timings: timings)
        job.continuation.yield(.finished(result))
        job.continuation.finish()
        release(slot)
    }

    private func fail(_ slot: Slot, _ error: any Error) {
        slot.job?.continuation.finish(throwing: error)
        // The cache may hold half-written rows: start this slot afresh.
        slot.cache.truncate(to: 0)
        slot.cachedTokens = []
        release(slot)
    }

    private func release(_ slot: Slot) {
        slot.job = nil
        slot.state = nil
        slot.next = nil
        slot.pending = []
        // A sequence that stopped before feeding its last token keeps a cache
        // one token short of `cachedTokens`' tail; keep them in step.
        if slot.cachedTokens.count > slot.cache.count { slot.cachedTokens.removeSubrange(slot.cache.count...) }
        condition.lock()
        busy -= 1
        let active = busy
        condition.unlock()
        observer.activeSequences(active)
    }
}

/// A submitted request and its stream.
private final class Job: Sendable {
    let request: GenerationRequest
    let continuation: AsyncThrowingStream<GenerationEvent, any Error>.Continuation
    let submittedAt = Date()
    private let cancelled = Atomic<Bool>(false)

    init(request: GenerationRequest, continuation: AsyncThrowingStream<GenerationEvent, any Error>.Continuation) {
        self.request = request
        self.continuation = continuation
    }

    func cancel() { cancelled.store(true, ordering: .relaxed) }
    var isCancelled: Bool { cancelled.load(ordering: .relaxed) }
}

/// One sequence's place in the batch: its cache and what it is doing.
private final class Slot {
    let cache: KVCache
    /// Tokens whose keys and values are in `cache`, in order.
    var cachedTokens: [Int32] = []
    /// The adapters `cache` was computed with.
    var cachedAdapters: AdapterStack?
    var job: Job?
    var state: DecodingState?
    /// Prompt tokens not yet evaluated.
    var pending: ArraySlice<Int32> = []
    /// The last sampled token, to feed at the next step (nil while prefilling).
    var next: Int32?
    var promptLogprobs: [TokenLogprob?] = []
    var admittedAt = Date()
    var firstTokenAt: Date?
    var lastTokenAt: Date?

    init(cache: KVCache) { self.cache = cache }
}
