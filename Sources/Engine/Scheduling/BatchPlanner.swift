import Models

/// One forward pass of a step: its rows, which of them produce logits, and which
/// slot takes which logits afterwards.
struct PlannedPass {
    /// How one slot's rows sit in the pass.
    struct Part {
        var slot: SequenceSlot
        var rows: Range<Int>
        var isPrefill: Bool
        /// Index of this slot's first logits row in the pass's output.
        var firstLogit: Int
        var logitCount: Int
        /// Rows whose hidden states this slot takes (embeddings): all of its rows.
        var hidden = false
    }

    var rows: [Transformer.BatchRow] = []
    var logitRows: [Int] = []
    var hiddenRows: [Int] = []
    var parts: [Part] = []
}

/// Decides what each step evaluates: one decode pass with a row per decoding
/// sequence (the quantized weights are read once for all of them), then prompt
/// chunks, round-robin over prefilling sequences, within `prefillChunk` rows a step,
/// so a long prompt never stalls the others for more than one chunk.
struct BatchPlanner {
    let prefillChunk: Int
    private var prefillCursor = 0

    init(prefillChunk: Int) {
        self.prefillChunk = prefillChunk
    }

    /// The decode pass, and the decoding slots whose cache is full (to finish for length
    /// instead of evaluating).
    func decodePass(_ slots: [SequenceSlot]) -> (pass: PlannedPass, full: [SequenceSlot]) {
        var pass = PlannedPass(), full: [SequenceSlot] = []
        for slot in slots where slot.job != nil {
            guard let token = slot.next else { continue }
            if slot.cache.count >= slot.cache.capacity { full.append(slot); continue }
            let row = pass.rows.count
            pass.parts.append(.init(slot: slot, rows: row..<(row + 1), isPrefill: false, firstLogit: pass.logitRows.count, logitCount: 1))
            pass.logitRows.append(row)
            pass.rows.append(.init(token: token, cache: slot.cache, position: slot.cache.count, adapters: slot.cachedAdapters))
        }
        return (pass, full)
    }

    /// This step's prompt chunks, one pass each, and advances the round-robin start.
    ///
    /// Each chunk is its own pass: the quantized matmul kernels group rows in fours and
    /// eights, so a prompt's numbers (and the logprobs a harness sums) would otherwise
    /// depend on what shared its batch.
    mutating func prefillPasses(_ slots: [SequenceSlot]) -> [PlannedPass] {
        var passes: [PlannedPass] = []
        var budget = prefillChunk
        for k in 0..<slots.count where budget > 0 {
            let slot = slots[(prefillCursor + k) % slots.count]
            guard let job = slot.job, slot.next == nil, !slot.pending.isEmpty else { continue }
            let wantsAll = job.request.promptLogprobs != nil
            let embeds = job.request.embedding != nil
            // Scoring takes llama.cpp's whole 512-row micro-batch, so its numbers match llama-perplexity's.
            let take = min(wantsAll ? max(budget, 512) : budget, slot.pending.count)
            let completes = take == slot.pending.count
            var pass = PlannedPass()
            for (i, token) in slot.pending.prefix(take).enumerated() {
                if embeds {
                    pass.hiddenRows.append(pass.rows.count)  // an embedding needs hidden rows, no logits
                } else if wantsAll || (completes && i == take - 1) {
                    pass.logitRows.append(pass.rows.count)
                }
                pass.rows.append(.init(token: token, cache: slot.cache, position: slot.cache.count + i, adapters: slot.cachedAdapters))
            }
            pass.parts = [.init(slot: slot, rows: 0..<pass.rows.count, isPrefill: true, firstLogit: 0, logitCount: pass.logitRows.count,
                                hidden: embeds)]
            passes.append(pass)
            budget -= take
        }
        prefillCursor = (prefillCursor + 1) % slots.count
        return passes
    }
}
