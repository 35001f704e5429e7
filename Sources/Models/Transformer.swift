import Foundation
import GGUF
import Kernels

/// Which logits a forward pass returns.
public enum LogitsMode: Sendable {
    /// Only the last token's logits: (vocab).
    case last
    /// Every token's logits: (tokens, vocab), for perplexity and prompt logprobs.
    case all
    /// No logits (prefill of a prefix).
    case none
}

/// Which rounding the fast path mimics.
public enum Numerics: Sendable {
    /// llama.cpp's CPU defaults: K, V, q and attention weights rounded to fp16
    /// (its F16 KV cache and F16 attention matmuls) and GELU from an fp16 table.
    case llamaCompatible
    /// Float32 throughout: what the plain-loop reference computes.
    case exact
}

/// Which matmul kernels run the quantized weights.
public enum MatmulKernels: Sendable {
    /// What llama.cpp's CPU backend picks by default on this machine: vec_dot
    /// kernels, repacked 8×8 kernels for Q4_K on AVX2, and its tiled order for
    /// batches of 8+ rows of other K-quants.
    case llamaCppDefault
    /// vec_dot kernels only (llama.cpp with weight repacking and tiled matmuls off).
    case vecDot
    /// Aqyl's fast kernels: Q4_0/Q4_1/Q5_0/Q8_0 weights interleaved 8 rows at a
    /// time at load (``WeightPacking/interleaved``), the rest as llama.cpp
    /// does. Today every output still has llama.cpp's bits; the mode may sum
    /// differently within the tolerance contract of docs/parity.md.
    case fast

    /// The matrix packing these kernels run on.
    public var packing: WeightPacking {
        switch self {
        case .llamaCppDefault: .llamaCpp
        case .vecDot: .plain
        case .fast: .interleaved
        }
    }
}

/// The fast forward pass shared by all architectures: batched matmuls on the
/// quantized weights, threaded attention over the KV cache.
///
/// The plain-loop ``ReferenceTransformer`` is the oracle it is tested against.
public final class Transformer: @unchecked Sendable {
    // @unchecked: immutable after init; the mapped file is read-only.
    public let file: GGUFFile
    public let config: ModelConfig
    public let weights: ModelWeights
    public let traits: ArchitectureTraits
    /// The architecture's quirks in the layer loop, shared with training.
    public let block: DecoderBlock
    public let numerics: Numerics
    /// Debugging aid: called with (name, values) at named points of the forward
    /// pass, named as llama.cpp's graph names them ("attn_norm-0", "Qcur-0", ...).
    public let debugTap: (@Sendable (String, UnsafeBufferPointer<Float>) -> Void)?

    public init(file: GGUFFile, kernels: MatmulKernels = .llamaCppDefault, numerics: Numerics = .llamaCompatible,
                debugTap: (@Sendable (String, UnsafeBufferPointer<Float>) -> Void)? = nil) throws {
        self.file = file
        config = try ModelConfig(file: file)
        weights = try ModelWeights(file: file, config: config, kernels: kernels)
        traits = ArchitectureTraits.of(config.architecture)
        block = DecoderBlock(config: config, traits: traits)
        self.numerics = numerics
        self.debugTap = debugTap
    }

    public convenience init(path: String, kernels: MatmulKernels = .llamaCppDefault, numerics: Numerics = .llamaCompatible) throws {
        try self.init(file: try GGUFFile(path: path), kernels: kernels, numerics: numerics)
    }

    /// Weights in the file (elements of every tensor).
    public var parameterCount: Int { file.tensors.reduce(0) { $0 + $1.elementCount } }

    public func makeCache(capacity: Int) -> KVCache {
        // llama.cpp-compatible numerics round K and V to fp16 before storing
        // (llama.cpp's F16 cache), so an F16 cache holds them exactly in half the bytes.
        KVCache(layers: config.layers, capacity: capacity, kvDim: config.kvDim, halfPrecision: numerics == .llamaCompatible)
    }

    /// Processes `tokens` at positions `cache.count...`, appending their keys and
    /// values to `cache`, and returns logits as `mode` asks.
    /// - Throws: ``ModelError/contextOverflow(requested:limit:)`` if the cache is full,
    ///   ``ModelError/invalidConfig(_:)`` for a token id outside the vocabulary.
    /// - Complexity: O(tokens · parameters) for the matmuls plus O(tokens · position) attention.
    public func forward(_ tokens: [Int32], cache: KVCache, pool: ThreadPool, logits mode: LogitsMode = .last,
                        adapters: AdapterStack? = nil) throws -> [Float] {
        let n = tokens.count
        guard n > 0 else { return [] }
        let start = cache.count
        guard start + n <= cache.capacity else {
            throw ModelError.contextOverflow(requested: start + n, limit: cache.capacity)
        }
        let rows: Range<Int>
        switch mode {
        case .none: rows = n..<n
        case .last: rows = (n - 1)..<n
        case .all: rows = 0..<n
        }
        return try forwardRows(tokens, caches: [KVCache](repeating: cache, count: n), positions: Array(start..<(start + n)),
                               logitRows: rows, pool: pool, adapters: adapters.map { [AdapterStack?](repeating: $0, count: n) })
    }

    /// One row of a mixed batch: `token` goes at `position` of `cache`'s sequence.
    public struct BatchRow {
        public var token: Int32
        public var cache: KVCache
        public var position: Int
        /// LoRA adapters for this row's sequence (nil: the base model).
        public var adapters: AdapterStack?

        public init(token: Int32, cache: KVCache, position: Int, adapters: AdapterStack? = nil) {
            self.token = token
            self.cache = cache
            self.position = position
            self.adapters = adapters
        }
    }

    /// Runs rows from several sequences in one pass (continuous batching): the
    /// matmuls see every row at once, so the weights stream from memory once per
    /// step instead of once per sequence; attention reads each row's own cache.
    /// Rows of one sequence must be consecutive positions in order, starting at
    /// that cache's `count`. Returns logits (rows in `logitRows`, vocab).
    public func forwardBatch(_ batch: [BatchRow], logitRows: [Int], pool: ThreadPool) throws -> [Float] {
        try forwardBatch(batch, logitRows: logitRows, hiddenRows: [], pool: pool).logits
    }

    /// ``forwardBatch(_:logitRows:pool:)`` that also returns the final hidden states of
    /// `hiddenRows` (hiddenRows.count, embd): the output-normed rows the logits are made
    /// from, which llama.cpp exposes as embeddings.
    public func forwardBatch(_ batch: [BatchRow], logitRows: [Int], hiddenRows: [Int],
                             pool: ThreadPool) throws -> (logits: [Float], hidden: [Float]) {
        guard !batch.isEmpty else { return ([], []) }
        for row in batch where row.position >= row.cache.capacity {
            throw ModelError.contextOverflow(requested: row.position + 1, limit: row.cache.capacity)
        }
        if let bad = hiddenRows.first(where: { $0 < 0 || $0 >= batch.count }) {
            throw ModelError.invalidConfig("hidden row \(bad) outside the batch of \(batch.count)")
        }
        let stacks = batch.contains { $0.adapters != nil } ? batch.map(\.adapters) : nil
        var hidden = [Float](repeating: 0, count: hiddenRows.count * config.embedding)
        let logits = try forwardRows(batch.map(\.token), caches: batch.map(\.cache), positions: batch.map(\.position),
                                     logitRows: logitRows, pool: pool, adapters: stacks, hiddenRows: hiddenRows, hidden: &hidden)
        return (logits, hidden)
    }

    /// The shared body: row `t` holds `tokens[t]` at `positions[t]` of `caches[t]`.
    private func forwardRows<Rows: Collection<Int>>(_ tokens: [Int32], caches: [KVCache], positions: [Int],
                                                    logitRows: Rows, pool: ThreadPool,
                                                    adapters: [AdapterStack?]? = nil) throws -> [Float] {
        var none: [Float] = []
        return try forwardRows(tokens, caches: caches, positions: positions, logitRows: logitRows, pool: pool,
                               adapters: adapters, hiddenRows: [], hidden: &none)
    }

    /// The shared body, also writing the output-normed rows `hiddenRows` into `hidden`.
    private func forwardRows<Rows: Collection<Int>>(_ tokens: [Int32], caches: [KVCache], positions: [Int],
                                                    logitRows: Rows, pool: ThreadPool,
                                                    adapters: [AdapterStack?]?, hiddenRows: [Int],
                                                    hidden: inout [Float]) throws -> [Float] {
        let n = tokens.count
        if let bad = tokens.first(where: { $0 < 0 || Int($0) >= weights.tokenEmbedding.rows }) {
            throw ModelError.invalidConfig("token id \(bad) is outside the vocabulary of \(weights.tokenEmbedding.rows)")
        }
        let capacity = caches.map(\.capacity).max() ?? 0
        let c = config
        let e = c.embedding
        let s = Scratch(tokens: n, config: c, workers: pool.threads, capacity: capacity)
        defer { s.free() }
        let lora = LoRARows(stacks: adapters, rows: n)
        defer { lora.free() }

        // x = embedding rows (tokens, embd)
        for (t, id) in tokens.enumerated() {
            weights.tokenEmbedding.dequantizeRow(Int(id), into: s.x + t * e)
        }
        if let scale = block.embeddingScale { VectorOps.scale(s.x, by: scale, count: n * e) }
        let ropes = block.ropes(positions: positions, factors: weights.ropeFrequencyFactors)

        for (l, w) in weights.layers.enumerated() {
            let rope = ropes.table(layer: l)
            // Attention.
            rmsNormRows(s.x, w.attentionNorm, s.xn, rows: n, width: e, pool: pool)
            tap("attn_norm-\(l)", s.xn, n * e)
            MatMul.multiply([w.query, w.key, w.value], x: s.xn, tokens: n, outputs: [s.q, s.k, s.v], pool: pool)
            lora.apply(l, .q, x: s.xn, inputs: e, y: s.q, outputs: c.qDim)
            lora.apply(l, .k, x: s.xn, inputs: e, y: s.k, outputs: c.kvDim)
            lora.apply(l, .v, x: s.xn, inputs: e, y: s.v, outputs: c.kvDim)
            perRows(n, pool: pool) { rows in
                let count = rows.count
                addBias(w.queryBias, s.q + rows.lowerBound * c.qDim, rows: count, width: c.qDim)
                addBias(w.keyBias, s.k + rows.lowerBound * c.kvDim, rows: count, width: c.kvDim)
                addBias(w.valueBias, s.v + rows.lowerBound * c.kvDim, rows: count, width: c.kvDim)
                block.positionHeads(q: s.q, k: s.k, tokens: rows, layer: w, rope: rope)
            }
            tap("Qcur-\(l)", s.q, n * c.qDim)
            tap("Kcur-\(l)", s.k, n * c.kvDim)
            tap("Vcur-\(l)", s.v, n * c.kvDim)
            perRows(n, pool: pool) { rows in
                let q = s.q + rows.lowerBound * c.qDim, k = s.k + rows.lowerBound * c.kvDim, v = s.v + rows.lowerBound * c.kvDim
                if traits.scalesQueryBeforeAttention { VectorOps.scale(q, by: c.attentionScale, count: rows.count * c.qDim) }
                if numerics == .llamaCompatible {
                    VectorOps.roundToHalf(q, count: rows.count * c.qDim)
                    VectorOps.roundToHalf(k, count: rows.count * c.kvDim)
                    VectorOps.roundToHalf(v, count: rows.count * c.kvDim)
                }
            }
            // Append to each row's cache: (capacity, kvDim) row at its position.
            for t in 0..<n {
                precondition(caches[t].halfPrecision == (numerics == .llamaCompatible),
                             "a KV cache made under other numerics")   // F16 holds only fp16-rounded K/V
                caches[t].store(layer: l, position: positions[t], key: s.k + t * c.kvDim, value: s.v + t * c.kvDim)
            }
            attend(layer: l, positions: positions, caches: caches, s: s, pool: pool)
            tap("kqv_out-\(l)", s.attn, n * c.qDim)
            MatMul.multiply(w.output, x: s.attn, tokens: n, y: s.o, pool: pool)
            lora.apply(l, .o, x: s.attn, inputs: c.qDim, y: s.o, outputs: e)
            tap("attn_out-\(l)", s.o, n * e)
            perRows(n, pool: pool) { rows in
                block.addBranch(s.o, postNorm: w.postAttentionNorm, normalized: s.o, residual: s.x, out: s.x, rows: rows)
            }
            if w.postAttentionNorm != nil { tap("attn_post_norm-\(l)", s.o, n * e) }

            // Feed-forward.
            tap("ffn_inp-\(l)", s.x, n * e)
            rmsNormRows(s.x, w.ffnNorm, s.xn, rows: n, width: e, pool: pool)
            tap("ffn_norm-\(l)", s.xn, n * e)
            MatMul.multiply([w.gate, w.up], x: s.xn, tokens: n, outputs: [s.gate, s.up], pool: pool)
            lora.apply(l, .gate, x: s.xn, inputs: e, y: s.gate, outputs: c.feedForward)
            lora.apply(l, .up, x: s.xn, inputs: e, y: s.up, outputs: c.feedForward)
            tap("ffn_gate-\(l)", s.gate, n * c.feedForward)
            tap("ffn_up-\(l)", s.up, n * c.feedForward)
            perRows(n, pool: pool) { rows in
                let gate = s.gate + rows.lowerBound * c.feedForward, up = s.up + rows.lowerBound * c.feedForward
                let count = rows.count * c.feedForward
                switch traits.activation {
                case .silu: VectorOps.siluMul(gate, up, count: count)
                case .geluTanh:
                    if numerics == .exact {
                        VectorOps.geluTanhMulExact(gate, up, count: count)
                    } else {
                        VectorOps.geluTanhMul(gate, up, count: count)
                    }
                }
            }
            tap("ffn_act-\(l)", s.gate, n * c.feedForward)
            MatMul.multiply(w.down, x: s.gate, tokens: n, y: s.o, pool: pool)
            lora.apply(l, .down, x: s.gate, inputs: c.feedForward, y: s.o, outputs: e)
            tap("ffn_out-\(l)", s.o, n * e)
            perRows(n, pool: pool) { rows in
                block.addBranch(s.o, postNorm: w.postFFNNorm, normalized: s.o, residual: s.x, out: s.x, rows: rows)
            }
            if w.postFFNNorm != nil { tap("ffn_post_norm-\(l)", s.o, n * e) }
        }
        for t in 0..<n { caches[t].count = max(caches[t].count, positions[t] + 1) }
        tap("l_out-last", s.x, n * e)

        // hidden = output_norm(x) for the asked rows (hiddenRows.count, embd).
        hidden.withUnsafeMutableBufferPointer { out in
            for (i, r) in hiddenRows.enumerated() {
                rmsNormRows(s.x + r * e, weights.outputNorm, out.baseAddress! + i * e, rows: 1, width: e)
            }
        }

        let selected = Array(logitRows)
        guard !selected.isEmpty else { return [] }
        let rows = selected.count
        // Gather the wanted rows (contiguous in the common case) before the output norm.
        if let first = selected.first, selected.last == first + rows - 1 {
            rmsNormRows(s.x + first * e, weights.outputNorm, s.xn, rows: rows, width: e)
        } else {
            for (i, r) in selected.enumerated() {
                rmsNormRows(s.x + r * e, weights.outputNorm, s.xn + i * e, rows: 1, width: e)
            }
        }
        var logits = [Float](repeating: 0, count: rows * c.vocabulary)
        logits.withUnsafeMutableBufferPointer { out in
            MatMul.multiply(weights.output, x: s.xn, tokens: rows, y: out.baseAddress!, pool: pool)
            if let cap = c.finalLogitSoftcap {
                for i in 0..<out.count { out[i] = cap * tanhf(out[i] / cap) }
            }
        }
        return logits
    }

    /// Causal (and, on sliding layers, windowed) softmax attention for each
    /// (token, head), spread over the pool. Writes `s.attn` (tokens, qDim).
    private func attend(layer l: Int, positions: [Int], caches: [KVCache], s: Scratch, pool: ThreadPool) {
        let window = block.window(layer: l)   // once: the lookup reads the configuration's arrays
        let c = config
        let n = positions.count
        let group = c.heads / c.kvHeads
        let scale = traits.scalesQueryBeforeAttention ? 1 : c.attentionScale   // else q carries it already
        let roundWeights = numerics == .llamaCompatible
        let batched = n > 1
        if roundWeights && batched {
            attendGrouped(layer: l, positions: positions, caches: caches, s: s, pool: pool)
            return
        }
        pool.run { worker, workers in
            let scores = s.scores + worker * s.scoreRows * s.scoreStride
            let vacc = s.vacc + worker * 32 * c.headDim
            var task = worker
            while task < n * c.heads {
                let t = task / c.heads, h = task % c.heads
                let pos = positions[t]
                let cache = caches[t]
                let lo = DecoderBlock.firstVisible(position: pos, window: window)
                let q = s.q + t * c.qDim + h * c.headDim
                let kvOffset = (h / group) * c.headDim
                if roundWeights {
                    // llama.cpp: scores over the whole cache (masked ones -inf),
                    // softmax in 8-blocks from position 0, probabilities to fp16,
                    // sums with lanes by absolute position.
                    let a = lo & ~7, end = (pos + 8) & ~7
                    for j in a..<lo { scores[j] = -Float.infinity }
                    VectorOps.attentionScores(q, cache.halfKeys(l) + kvOffset, stride: c.kvDim, range: lo..<(pos + 1),
                                              count: c.headDim, batched: batched, scale: scale, into: scores)
                    for j in (pos + 1)..<end { scores[j] = -Float.infinity }
                    VectorOps.softmax(scores + a, count: end - a)
                    VectorOps.roundToHalf(scores + a, count: end - a)
                    VectorOps.attentionValues(scores, cache.halfValues(l) + kvOffset, stride: c.kvDim, range: lo..<(pos + 1),
                                              count: c.headDim, batched: batched, scratch: vacc,
                                              out: s.attn + t * c.qDim + h * c.headDim)
                    task += workers
                    continue
                }
                let keys = cache.floatKeys(l), values = cache.floatValues(l)
                for j in lo...pos {
                    scores[j - lo] = VectorOps.dot(q, keys + j * c.kvDim + kvOffset, count: c.headDim) * scale
                }
                let span = pos - lo + 1
                VectorOps.softmax(scores, count: span)
                let out = s.attn + t * c.qDim + h * c.headDim
                out.update(repeating: 0, count: c.headDim)
                for j in lo...pos {
                    VectorOps.axpy(scores[j - lo], values + j * c.kvDim + kvOffset, out, count: c.headDim)
                }
                task += workers
            }
        }
    }

    /// `attend` for a batch of 2+ tokens under llama.cpp-compatible numerics:
    /// one task per (tile of up to 8 consecutive tokens of one sequence, KV
    /// head) runs the query heads sharing that KV head as small matrix
    /// products (`VectorOps.attentionTile`: K and V read once per tile, the
    /// bits of one head and token at a time).
    private func attendGrouped(layer l: Int, positions: [Int], caches: [KVCache], s: Scratch, pool: ThreadPool) {
        let window = block.window(layer: l)   // once: the lookup reads the configuration's arrays
        let c = config
        let n = positions.count
        let group = c.heads / c.kvHeads
        let scale = traits.scalesQueryBeforeAttention ? 1 : c.attentionScale
        var tiles: [Range<Int>] = []
        var t0 = 0
        while t0 < n {
            var t1 = t0 + 1
            while t1 < n && t1 - t0 < Self.attentionTileTokens && caches[t1] === caches[t0] { t1 += 1 }
            tiles.append(t0..<t1)
            t0 = t1
        }
        let pos = positions.map { Int32($0) }   // positions < context length, checked at the batch's entry
        let first = positions.map { Int32(DecoderBlock.firstVisible(position: $0, window: window)) }
        pos.withUnsafeBufferPointer { pos in
            first.withUnsafeBufferPointer { first in
                pool.run { worker, workers in
                    var task = worker
                    while task < tiles.count * c.kvHeads {
                        let tile = tiles[task / c.kvHeads], g = task % c.kvHeads
                        let cache = caches[tile.lowerBound]
                        let kvOffset = g * c.headDim, qOffset = tile.lowerBound * c.qDim + g * group * c.headDim
                        let ran = VectorOps.attentionTile(
                            s.q + qOffset, qStride: c.qDim, tokens: tile.count, heads: group,
                            positions: pos.baseAddress! + tile.lowerBound, firstVisible: first.baseAddress! + tile.lowerBound,
                            keys: cache.halfKeys(l) + kvOffset, values: cache.halfValues(l) + kvOffset, stride: c.kvDim,
                            count: c.headDim, scale: scale, out: s.attn + qOffset, outStride: c.qDim)
                        if !ran {   // out of memory for the tile's buffers: one token at a time
                            for t in tile { attendToken(t, kvHead: g, layer: l, window: window, positions: positions,
                                                        caches: caches, s: s, worker: worker) }
                        }
                        task += workers
                    }
                }
            }
        }
    }

    /// Query tokens per attention tile: enough rows to reuse each converted K
    /// and V row many times, few enough that a tile's scores stay in L2.
    static let attentionTileTokens = 8

    /// One token's query heads sharing KV head `g`, in the batched order,
    /// through the per-token kernels (the tile's fallback).
    private func attendToken(_ t: Int, kvHead g: Int, layer l: Int, window: Int, positions: [Int], caches: [KVCache],
                             s: Scratch, worker: Int) {
        let c = config
        let group = c.heads / c.kvHeads
        let scale = traits.scalesQueryBeforeAttention ? 1 : c.attentionScale
        let scores = s.scores + worker * s.scoreRows * s.scoreStride   // (group, scoreStride)
        let vacc = s.vacc + worker * 32 * c.headDim
        let pos = positions[t]
        let cache = caches[t]
        let lo = DecoderBlock.firstVisible(position: pos, window: window)
        // llama.cpp: scores over the whole cache (masked ones -inf),
        // softmax in 8-blocks from position 0, probabilities to fp16,
        // sums with lanes by absolute position.
        let a = lo & ~7, end = (pos + 8) & ~7
        let kvOffset = g * c.headDim
        VectorOps.attentionScores(heads: group, s.q + t * c.qDim + g * group * c.headDim, qStride: c.headDim,
                                  cache.halfKeys(l) + kvOffset, stride: c.kvDim, range: lo..<(pos + 1),
                                  count: c.headDim, scale: scale, into: scores, scoreStride: s.scoreStride)
        for r in 0..<group {
            let row = scores + r * s.scoreStride
            for j in a..<lo { row[j] = -Float.infinity }
            for j in (pos + 1)..<end { row[j] = -Float.infinity }
            VectorOps.softmax(row + a, count: end - a)
            VectorOps.roundToHalf(row + a, count: end - a)
            VectorOps.attentionValues(row, cache.halfValues(l) + kvOffset, stride: c.kvDim, range: lo..<(pos + 1),
                                      count: c.headDim, batched: true, scratch: vacc,
                                      out: s.attn + t * c.qDim + (g * group + r) * c.headDim)
        }
    }

    /// Applies each row's adapter stack (runs of rows with the same stack at once).
    private struct LoRARows {
        let stacks: [AdapterStack?]?
        let scratch: UnsafeMutablePointer<Float>?

        init(stacks: [AdapterStack?]?, rows: Int) {
            let rank = stacks?.compactMap { $0?.maxRank }.max() ?? 0
            if let stacks, rank > 0, stacks.contains(where: { $0.map { !$0.isEmpty } ?? false }) {
                self.stacks = stacks
                scratch = .allocate(capacity: rows * rank)
            } else {
                self.stacks = nil
                scratch = nil
            }
        }

        func free() { scratch?.deallocate() }

        @inline(__always)
        func apply(_ layer: Int, _ target: LoRATarget, x: UnsafeMutablePointer<Float>, inputs: Int,
                   y: UnsafeMutablePointer<Float>, outputs: Int) {
            guard let stacks, let scratch else { return }
            var t0 = 0
            while t0 < stacks.count {
                var t1 = t0 + 1
                while t1 < stacks.count && stacks[t1] === stacks[t0] { t1 += 1 }
                if let stack = stacks[t0] {
                    stack.apply(layer: layer, target: target, x: x + t0 * inputs, rows: t1 - t0,
                                y: y + t0 * outputs, scratch: scratch)
                }
                t0 = t1
            }
        }
    }

    @inline(__always)
    private func tap(_ name: @autoclosure () -> String, _ p: UnsafeMutablePointer<Float>, _ count: Int) {
        if let debugTap { debugTap(name(), UnsafeBufferPointer(start: p, count: count)) }
    }

    private func rmsNormRows(_ x: UnsafeMutablePointer<Float>, _ w: [Float], _ out: UnsafeMutablePointer<Float>, rows: Int, width: Int,
                             pool: ThreadPool? = nil) {
        w.withUnsafeBufferPointer { wp in
            let body = { (slice: Range<Int>) in
                for r in slice {
                    VectorOps.rmsNorm(x + r * width, weight: wp.baseAddress!, eps: self.config.rmsEpsilon, count: width,
                                      out: out + r * width)
                }
            }
            if let pool { perRows(rows, pool: pool, body) } else { body(0..<rows) }
        }
    }

    /// Runs `body` on one contiguous slice of rows 0..<n per worker: the
    /// row-wise work of a prefill (norms, RoPE, activations) would otherwise
    /// run on one thread while the others wait. One row runs inline.
    private func perRows(_ n: Int, pool: ThreadPool, _ body: (Range<Int>) -> Void) {
        guard n > 1 else { body(0..<n); return }
        pool.run { worker, workers in
            let per = (n + workers - 1) / workers
            let lo = min(n, worker * per), hi = min(n, lo + per)
            if lo < hi { body(lo..<hi) }
        }
    }

    private func addBias(_ bias: [Float]?, _ y: UnsafeMutablePointer<Float>, rows: Int, width: Int) {
        guard let bias else { return }
        bias.withUnsafeBufferPointer { b in
            for r in 0..<rows { VectorOps.add(b.baseAddress!, into: y + r * width, count: width) }
        }
    }
}

/// Activation buffers of one forward call.
final class Scratch: @unchecked Sendable {
    let x, xn, q, k, v, attn, o, gate, up, scores, vacc: UnsafeMutablePointer<Float>
    /// Floats per score row: the cache capacity rounded up to 8.
    let scoreStride: Int
    /// Score rows per worker: the query heads sharing a KV head for a batch
    /// of 2+ tokens (scored together), else 1.
    let scoreRows: Int

    init(tokens n: Int, config c: ModelConfig, workers: Int, capacity: Int) {
        func buf(_ count: Int) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
            p.initialize(repeating: 0, count: max(count, 1))
            return p
        }
        x = buf(n * c.embedding)              // (tokens, embd) residual stream
        xn = buf(n * c.embedding)             // (tokens, embd) normalized
        q = buf(n * c.qDim)                   // (tokens, heads*headDim)
        k = buf(n * c.kvDim)                  // (tokens, kvHeads*headDim)
        v = buf(n * c.kvDim)                  // (tokens, kvHeads*headDim)
        attn = buf(n * c.qDim)                // (tokens, heads*headDim)
        o = buf(n * c.embedding)              // (tokens, embd)
        gate = buf(n * c.feedForward)         // (tokens, ff)
        up = buf(n * c.feedForward)           // (tokens, ff)
        scoreStride = (capacity + 7) & ~7
        scoreRows = n > 1 ? max(1, c.heads / max(c.kvHeads, 1)) : 1
        scores = buf(workers * scoreRows * scoreStride)   // (workers, scoreRows, capacity rounded up to 8)
        vacc = buf(workers * 32 * c.headDim)  // (workers, 32 lanes, headDim)
    }

    func free() {
        [x, xn, q, k, v, attn, o, gate, up, scores, vacc].forEach { $0.deallocate() }
    }
}
