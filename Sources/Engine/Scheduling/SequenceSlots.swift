import Foundation
import Models
import Tokenizers

/// One sequence's place in the batch: its KV cache, the tokens that cache holds, and
/// the job using it (if any). Touched only by the scheduler thread.
final class SequenceSlot {
    let cache: KVCache
    /// Tokens whose keys and values are in `cache`, in order.
    var cachedTokens: [Int32] = []
    /// The adapters `cache` was computed with.
    var cachedAdapters: AdapterStack?
    var job: SchedulerJob?
    var state: DecodingState?
    /// Prompt tokens not yet evaluated.
    var pending: ArraySlice<Int32> = []
    /// The last sampled token, to feed at the next step (nil while prefilling).
    var next: Int32?
    var promptLogprobs: [TokenLogprob?] = []
    /// Pools the prompt's hidden rows for an embedding request.
    var embedding: EmbeddingAccumulator?
    var admittedAt = Date()
    var firstTokenAt: Date?
    var lastTokenAt: Date?

    init(cache: KVCache) { self.cache = cache }

    /// Decoding: it has a sampled token to feed.
    var isDecoding: Bool { job != nil && next != nil }
    /// Prefilling: part of its prompt is still to be evaluated.
    var isPrefilling: Bool { job != nil && next == nil && !pending.isEmpty }
}

/// The scheduler's sequences and their prefix cache.
///
/// A slot keeps its cache after its request ends, and a new request takes the free
/// slot whose cached tokens share the longest prefix with its prompt (under the same
/// adapters), so the next turn of a conversation evaluates only the new turn.
final class SlotTable {
    let slots: [SequenceSlot]

    init(count: Int, makeCache: () -> KVCache) {
        slots = (0..<max(1, count)).map { _ in SequenceSlot(cache: makeCache()) }
    }

    /// Puts `job` in the free slot with the longest reusable prefix, trims that slot's
    /// cache to the prefix and leaves the rest of the prompt pending. Returns nil only
    /// when no slot is free (admission counts free slots, so that does not happen).
    func place(_ job: SchedulerJob) -> SequenceSlot? {
        let prompt = job.request.prompt
        // Prompt logprobs and embeddings need a row for every prompt token: nothing is reused.
        let reuse = job.request.promptLogprobs == nil && job.request.embedding == nil
        var best: SequenceSlot?, bestCommon = -1
        for slot in slots where slot.job == nil {
            // Keys and values depend on the adapter: reuse only a cache made with the same one.
            let sameAdapters = slot.cachedAdapters === job.request.adapters
            let common = reuse && sameAdapters ? Self.commonPrefix(slot.cachedTokens, prompt) : 0
            if common > bestCommon { best = slot; bestCommon = common }
        }
        guard let slot = best else { return nil }
        // Always evaluate at least the last prompt token, for its logits.
        let common = max(0, min(bestCommon, prompt.count - 1))
        slot.cache.truncate(to: common)
        slot.cachedTokens.removeSubrange(common...)
        slot.cachedAdapters = job.request.adapters
        slot.job = job
        slot.pending = prompt[common...]
        slot.next = nil
        slot.promptLogprobs = job.request.promptLogprobs != nil ? [nil] : []
        slot.embedding = nil
        slot.admittedAt = Date()
        slot.firstTokenAt = nil
        slot.lastTokenAt = nil
        return slot
    }

    /// Frees `slot`; its cache stays for prefix reuse.
    func release(_ slot: SequenceSlot) {
        slot.job = nil
        slot.state = nil
        slot.next = nil
        slot.pending = []
        // A sequence that stopped before feeding its last token keeps a cache
        // one token short of `cachedTokens`' tail; keep them in step.
        if slot.cachedTokens.count > slot.cache.count { slot.cachedTokens.removeSubrange(slot.cache.count...) }
    }

    /// Frees `slot` after a failed pass: its cache may hold half-written rows, so it starts afresh.
    func discard(_ slot: SequenceSlot) {
        slot.cache.truncate(to: 0)
        slot.cachedTokens = []
        release(slot)
    }

    static func commonPrefix(_ a: [Int32], _ b: [Int32]) -> Int {
        var n = 0
        while n < min(a.count, b.count), a[n] == b[n] { n += 1 }
        return n
    }
}
