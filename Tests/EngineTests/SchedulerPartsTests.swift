import Foundation
import Kernels
import Logging
import Models
import ServiceLifecycle
import Testing
import Tokenizers
@testable import Engine

/// The scheduler's pieces on their own: admission, the slot table's prefix reuse, the
/// step planner, and the scheduler's life as a service.
@Suite struct SchedulerPartsTests {
    static func job(_ prompt: [Int32], maxTokens: Int = 4, promptLogprobs: Int? = nil) -> SchedulerJob {
        let (_, continuation) = AsyncThrowingStream<GenerationEvent, any Error>.makeStream()
        return SchedulerJob(request: GenerationRequest(prompt: prompt, maxTokens: maxTokens, promptLogprobs: promptLogprobs),
                            continuation: continuation)
    }

    @Test func admissionRefusesPastSlotsPlusQueueAndSkipsCancelledJobs() throws {
        let queue = AdmissionQueue(capacity: 1, queueLimit: 2)
        let first = Self.job([1]), second = Self.job([2]), third = Self.job([3])
        try queue.enqueue(first)
        try queue.enqueue(second)
        try queue.enqueue(third)
        #expect(throws: SchedulerError.queueFull(limit: 2)) { try queue.enqueue(Self.job([4])) }
        // One slot: only the first is admitted; the others wait, in order.
        let admitted = try #require(queue.admit())
        #expect(admitted.jobs.map { $0.request.prompt } == [[1]])
        #expect(admitted.waiting == 2 && admitted.active == 1)
        #expect(queue.load == (waiting: 2, active: 1))
        // A job cancelled while it waits is dropped when its turn comes.
        second.cancel()
        #expect(queue.release() == 0)
        let next = try #require(queue.admit())
        #expect(next.jobs.map { $0.request.prompt } == [[3]])
        // Shut down: nothing new, and the thread's cue to exit once drained.
        queue.shutdown()
        #expect(throws: SchedulerError.shuttingDown) { try queue.enqueue(Self.job([5])) }
        #expect(queue.admit() != nil, "a sequence still runs")
        #expect(queue.release() == 0)
        #expect(queue.admit() == nil)
    }

    @Test func aNewRequestTakesTheSlotWithTheLongestReusablePrefix() throws {
        let (model, _) = try BatchSchedulerTests.model()
        let table = SlotTable(count: 3) { model.makeCache(capacity: 32) }
        let pool = ThreadPool(threads: 1)
        // Two slots hold earlier conversations in their caches.
        for (i, tokens) in [[Int32]([65, 66, 67, 68]), [65, 66, 90]].enumerated() {
            let slot = table.slots[i + 1]
            _ = try model.forward(tokens, cache: slot.cache, pool: pool)
            slot.cachedTokens = tokens
        }
        let slot = try #require(table.place(Self.job([65, 66, 67, 99, 98])))
        #expect(slot === table.slots[1])
        #expect(slot.cache.count == 3 && slot.cachedTokens == [65, 66, 67])
        #expect(Array(slot.pending) == [99, 98])
        #expect(slot.isPrefilling)

        // The same prompt again evaluates at least its last token (for the logits).
        let again = try #require(table.place(Self.job([65, 66, 90])))
        #expect(again === table.slots[2])
        #expect(Array(again.pending) == [90] && again.cache.count == 2)

        // Prompt logprobs need every row: no reuse, the whole prompt is pending.
        table.release(slot)
        let scoring = try #require(table.place(Self.job([65, 66, 67, 99], promptLogprobs: 0)))
        #expect(scoring.cache.count == 0 && scoring.pending.count == 4)
        // Every slot busy: nothing to place.
        #expect(table.place(Self.job([1])) === table.slots[1])
        #expect(table.place(Self.job([2])) == nil)
        // A failed pass leaves no half-written cache behind.
        table.discard(scoring)
        #expect(scoring.cache.count == 0 && scoring.cachedTokens.isEmpty && scoring.job == nil)
    }

    @Test func oneDecodePassThenPromptChunksRoundRobin() throws {
        let (model, _) = try BatchSchedulerTests.model()
        let table = SlotTable(count: 4) { model.makeCache(capacity: 16) }
        var planner = BatchPlanner(prefillChunk: 4)
        // Slots 0 and 1 decode, 2 and 3 prefill ten prompt tokens each.
        for i in 0..<2 {
            let slot = try #require(table.place(Self.job([Int32(65 + i)])))
            slot.pending = []
            slot.next = Int32(70 + i)
        }
        for _ in 0..<2 { _ = try #require(table.place(Self.job([Int32](repeating: 65, count: 10)))) }
        let (decode, full) = planner.decodePass(table.slots)
        #expect(full.isEmpty)
        #expect(decode.rows.map(\.token) == [70, 71] && decode.logitRows == [0, 1])
        #expect(decode.parts.map { $0.slot === table.slots[0] || $0.slot === table.slots[1] } == [true, true])
        // The chunk budget goes to one prompt this step, the next prompt first at the next step.
        let firstStep = planner.prefillPasses(table.slots)
        #expect(firstStep.count == 1 && firstStep[0].rows.count == 4)
        #expect(firstStep[0].parts[0].slot === table.slots[2])
        #expect(firstStep[0].logitRows.isEmpty, "an unfinished prompt needs no logits")
        _ = planner.prefillPasses(table.slots)
        _ = planner.prefillPasses(table.slots)
        let fourthStep = planner.prefillPasses(table.slots)
        #expect(fourthStep[0].parts[0].slot === table.slots[3])
        // A prompt's last chunk asks for the logits of its last row.
        table.slots[2].pending = []
        table.slots[3].pending = table.slots[3].pending.suffix(3)
        let last = planner.prefillPasses(table.slots).first { $0.parts[0].slot === table.slots[3] }
        #expect(last?.rows.count == 3 && last?.logitRows == [2])
        // A decoding slot whose cache is full is finished, not evaluated.
        let crowded = table.slots[0]
        _ = try model.forward([Int32](repeating: 65, count: 16), cache: crowded.cache, pool: ThreadPool(threads: 1))
        let (again, nowFull) = planner.decodePass(table.slots)
        #expect(nowFull.map { $0 === crowded } == [true])
        #expect(again.rows.map(\.token) == [71])
    }

    @Test func asAServiceItFinishesWhatRunsAndStopsWithItsGroup() async throws {
        let (model, tok) = try BatchSchedulerTests.model()
        let scheduler = BatchScheduler(model: model, tokenizer: tok, threads: 2, configuration: .init(slots: 1, contextLength: 64))
        #expect(!scheduler.isRunning, "no thread before it runs or gets work")
        let group = ServiceGroup(configuration: .init(services: [scheduler], logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let first = try await BatchSchedulerTests.collect(try scheduler.submit(GenerationRequest(prompt: [65, 66], maxTokens: 3, sampling: .greedy)))
            #expect(first.result != nil)
            // A generation in flight when the shutdown starts still finishes.
            let inFlight = try scheduler.submit(GenerationRequest(prompt: [65], maxTokens: 12, sampling: .greedy))
            await group.triggerGracefulShutdown()
            let late = try await BatchSchedulerTests.collect(inFlight)
            #expect(late.result != nil)
            try await tasks.waitForAll()
        }
        // The group returned only after the thread (and its pool) ended; nothing new is taken.
        await scheduler.stopped()
        #expect(!scheduler.isRunning)
        #expect(throws: SchedulerError.shuttingDown) { try scheduler.submit(GenerationRequest(prompt: [65], maxTokens: 1)) }
    }
}
