import Foundation
import GGUF
import Kernels
import Models

/// Forward and backward passes of a decoder with LoRA on frozen weights.
///
/// The base matrices stay in their GGUF quant type: the forward product runs
/// the inference kernels, and the backward product dX += dY·W dequantizes a
/// few rows at a time (``MatMul/accumulateTransposed(_:dy:tokens:dx:pool:)``).
/// Only the LoRA matrices get gradients. Attention, norms and activations run
/// in plain F32 (no fp16 rounding), so the loss is a smooth function of A and B.
///
/// Memory: every layer's input is kept (tokens × embd floats each); the rest of
/// a layer's activations is kept while `activationBudget` allows and otherwise
/// recomputed from the input during the backward pass (gradient checkpointing),
/// so long contexts cost time, not memory.
public final class TrainingPass: @unchecked Sendable {
    // @unchecked: one training loop drives it.
    public let model: Transformer
    public let lora: TrainableLoRA
    public let pool: ThreadPool
    /// Bytes of layer activations to keep between the forward and backward pass.
    public var activationBudget: Int = 1_500_000_000
    /// Layers recomputed in the last backward pass (0 when everything fit).
    public private(set) var recomputedLayers = 0
    /// How the backward product dY·W runs for quantized weights.
    public enum BackwardProduct: String, Sendable, CaseIterable {
        /// On a Q8_0 copy of Wᵀ with the int8 kernels (dY quantized per 32-block, like
        /// forward activations): about as fast as the forward pass; +1.06 bytes per weight.
        case int8
        /// F32, dequantizing W tile by tile: exact up to float rounding, no extra memory.
        case float
    }
    public var backwardProduct: BackwardProduct = .int8
    /// PEFT's `lora_dropout`: while training, each LoRA input element is zeroed with
    /// this probability and the rest scaled by 1/(1−p) before A (the frozen product
    /// sees the whole input). Evaluation and inference never drop.
    public var loraDropout: Float = 0
    /// Picks the dropout masks of the next `accumulate` (the trainer sets it per
    /// sequence so a run is reproducible and a resumed run draws the same masks).
    public var dropoutSeed: UInt64 = 0
    /// Whether the pass being run drops (training only).
    private var dropping = false
    /// Wᵀ copies for the int8 backward product, by matrix base address.
    private var transposed: [UnsafeRawPointer: TransposedQ8] = [:]
    private var transposedMissing: Set<UnsafeRawPointer> = []
    /// Bytes held by the Wᵀ copies.
    public var transposedBytes: Int { transposed.values.reduce(0) { $0 + $1.byteCount } }

    /// The buffers of the last pass, reused while the sequence length and the
    /// number of kept layers stay the same (a fresh set each step would fault
    /// in and zero hundreds of MB).
    private var passBuffers: PassBuffers?
    /// Whether any layer normalizes its q/k heads (Gemma 3), or its branch outputs (Gemma 2/3).
    private lazy var headNorms = model.weights.layers.contains { $0.queryNorm != nil || $0.keyNorm != nil }
    private lazy var postNorms = model.weights.layers.contains { $0.postAttentionNorm != nil || $0.postFFNNorm != nil }

    var config: ModelConfig { model.config }
    var traits: ArchitectureTraits { model.traits }
    /// The quirks of the layer loop, the same definition inference runs.
    var block: DecoderBlock { model.block }

    public init(model: Transformer, lora: TrainableLoRA, pool: ThreadPool) {
        self.model = model
        self.lora = lora
        self.pool = pool
    }

    /// Loss and gradients of one sequence. `targets[t]` is the token expected
    /// after position t, or −1 where no loss is taken (prompt tokens, padding).
    /// Gradients of `gradScale · Σ CE` are added to `lora.gradients`.
    /// - Returns: the summed cross-entropy (nats) and the number of scored tokens.
    public func accumulate(tokens: [Int32], targets: [Int32], gradScale: Float) throws -> (loss: Double, count: Int) {
        try run(tokens: tokens, targets: targets, gradScale: gradScale, backward: true)
    }

    /// Loss only (no gradients), for evaluation.
    public func loss(tokens: [Int32], targets: [Int32]) throws -> (loss: Double, count: Int) {
        try run(tokens: tokens, targets: targets, gradScale: 0, backward: false)
    }

    private func run(tokens: [Int32], targets: [Int32], gradScale: Float, backward: Bool) throws -> (loss: Double, count: Int) {
        let c = config
        dropping = backward && loraDropout > 0
        let n = tokens.count
        guard n > 0, targets.count == n else { throw ModelError.invalidConfig("tokens and targets must have the same nonzero length") }
        guard n <= c.contextLength else { throw ModelError.contextOverflow(requested: n, limit: c.contextLength) }
        let vocab = model.weights.tokenEmbedding.rows
        if let bad = tokens.first(where: { $0 < 0 || Int($0) >= vocab }) ?? targets.first(where: { Int($0) >= c.vocabulary || $0 < -1 }) {
            throw ModelError.invalidConfig("token id \(bad) is outside the vocabulary of \(vocab)")
        }
        let e = c.embedding
        lora.refreshTransposes()
        let perLayer = LayerActivations.bytes(tokens: n, config: c, headNorms: headNorms, postNorms: postNorms)
        let keep = backward ? min(c.layers, activationBudget / max(perLayer, 1)) : 0
        let b = buffers(tokens: n, keep: keep, backward: backward)
        // inputs[l]: (T, embd) input of layer l; inputs[layers] is the final residual stream.
        let inputs = b.inputs
        for (t, id) in tokens.enumerated() {
            model.weights.tokenEmbedding.dequantizeRow(Int(id), into: inputs[0] + t * e)
        }
        // New vocabulary rows being trained: their current values, not the file's initial ones.
        if let r = lora.newTokenRows {
            for (t, id) in tokens.enumerated() where Int(id) >= r.first {
                (inputs[0] + t * e).update(from: lora.values + r.inputOffset + (Int(id) - r.first) * e, count: e)
            }
        }
        if let scale = block.embeddingScale { VectorOps.scale(inputs[0], by: scale, count: n * e) }

        let ropes = block.ropes(positions: 0..<n, factors: model.weights.ropeFrequencyFactors)
        let work = b.work
        for l in 0..<c.layers {
            let acts = l < keep ? b.kept[l] : b.scratch
            forwardLayer(l, x: inputs[l], acts: acts, out: inputs[l + 1], ropes: ropes, work: work)
        }

        let dx = work.dx
        let result = head(x: inputs[c.layers], targets: targets, gradScale: gradScale, dx: backward ? dx : nil, work: work)
        guard backward else { return result }

        recomputedLayers = 0
        for l in stride(from: c.layers - 1, through: 0, by: -1) {
            let acts: LayerActivations
            if l < keep {
                acts = b.kept[l]
            } else {
                acts = b.scratch
                forwardLayer(l, x: inputs[l], acts: acts, out: work.discard, ropes: ropes, work: work)
                recomputedLayers += 1
            }
            backwardLayer(l, x: inputs[l], acts: acts, dx: dx, ropes: ropes, work: work)
        }
        // dx is now dLoss/d(inputs[0]): the new rows' embedding gradient (through the scale).
        if let r = lora.newTokenRows {
            let scale = block.embeddingScale ?? 1
            for (t, id) in tokens.enumerated() where Int(id) >= r.first {
                let g = lora.gradients + r.inputOffset + (Int(id) - r.first) * e
                for j in 0..<e { g[j] += dx[t * e + j] * scale }
            }
        }
        return result
    }

    // MARK: - Layer forward

    private func forwardLayer(_ l: Int, x: UnsafeMutablePointer<Float>, acts a: LayerActivations,
                              out: UnsafeMutablePointer<Float>, ropes: DecoderBlock.Ropes, work: Workspace) {
        let c = config, n = a.tokens, e = c.embedding
        let w = model.weights.layers[l]
        rmsNorm(x, w.attentionNorm, a.xn1, rows: n, width: e)
        linear(w.query, l, .q, x: a.xn1, y: a.q, rows: n, work: work)
        linear(w.key, l, .k, x: a.xn1, y: a.k, rows: n, work: work)
        linear(w.value, l, .v, x: a.xn1, y: a.v, rows: n, work: work)
        addBias(w.queryBias, a.q, rows: n, width: c.qDim)
        addBias(w.keyBias, a.k, rows: n, width: c.kvDim)
        addBias(w.valueBias, a.v, rows: n, width: c.kvDim)
        if w.queryNorm != nil {
            a.qLin.update(from: a.q, count: n * c.qDim)
            a.kLin.update(from: a.k, count: n * c.kvDim)
        }
        let rope = ropes.table(layer: l)
        eachRows(n) { r in block.positionHeads(q: a.q, k: a.k, tokens: r, layer: w, rope: rope) }
        AttentionPass.forward(config: c, layer: l, tokens: n, q: a.q, k: a.k, v: a.v, probs: a.probs, out: a.attn, pool: pool)
        linear(w.output, l, .o, x: a.attn, y: a.oLin, rows: n, work: work)
        // x2 = x + postNorm(oLin); oLin stays as it was, for the backward pass.
        eachRows(n) { r in block.addBranch(a.oLin, postNorm: w.postAttentionNorm, normalized: a.x2, residual: x, out: a.x2, rows: r) }
        rmsNorm(a.x2, w.ffnNorm, a.xn2, rows: n, width: e)
        linear(w.gate, l, .gate, x: a.xn2, y: a.g, rows: n, work: work)
        linear(w.up, l, .up, x: a.xn2, y: a.u, rows: n, work: work)
        let ff = c.feedForward, activation = traits.activation
        eachRows(n) { r in
            let o = r.lowerBound * ff
            TrainingMath.gatedActivation(activation, g: a.g + o, u: a.u + o, out: a.h + o, count: r.count * ff)
        }
        linear(w.down, l, .down, x: a.h, y: a.dLin, rows: n, work: work)
        eachRows(n) { r in block.addBranch(a.dLin, postNorm: w.postFFNNorm, normalized: out, residual: a.x2, out: out, rows: r) }
    }

    /// y (rows, out) = x·Wᵀ + scale·(x·Aᵀ)·Bᵀ
    private func linear(_ w: QuantMatrix, _ l: Int, _ target: LoRATarget, x: UnsafeMutablePointer<Float>,
                        y: UnsafeMutablePointer<Float>, rows: Int, work: Workspace) {
        MatMul.multiply(w, x: x, tokens: rows, y: y, pool: pool)
        guard let s = lora.slot(layer: l, target: target) else { return }
        let p = lora.values
        let x = dropping ? dropped(x, rows: rows, columns: s.inputs, layer: l, target: target, into: work.dropped) : x
        FloatGEMM.nt(m: rows, n: s.rank, k: s.inputs, a: x, lda: s.inputs, b: p + s.offset, ldb: s.inputs, c: work.u, ldc: s.rank, pool: pool)
        // y += scale·u·Bᵀ, along the outputs
        FloatGEMM.nn(m: rows, n: s.outputs, k: s.rank, alpha: lora.scale, a: work.u, lda: s.rank,
                     b: lora.transposedB + s.bOffset, ldb: s.outputs, beta: 1, c: y, ldc: s.outputs, pool: pool)
    }

    // MARK: - Layer backward

    /// On entry `dx` holds dLoss/d(layer output); on return dLoss/d(layer input).
    private func backwardLayer(_ l: Int, x: UnsafeMutablePointer<Float>, acts a: LayerActivations,
                               dx: UnsafeMutablePointer<Float>, ropes: DecoderBlock.Ropes, work: Workspace) {
        let c = config, n = a.tokens, e = c.embedding, ff = c.feedForward
        let w = model.weights.layers[l]
        // FFN branch: out = x2 + postNorm(dLin).
        let dDown = work.dE
        if let pn = w.postFFNNorm {
            rmsNormBackwardRows(a.dLin, pn, dy: dx, dx: dDown, rows: n, width: e, accumulate: false)
        } else {
            dDown.update(from: dx, count: n * e)
        }
        let dH = work.dFF
        dH.update(repeating: 0, count: n * ff)
        // h = act(g)·u is shared by all layers: recomputed (the same bits) for the LoRA input of down.
        let activation = traits.activation
        if lora.slot(layer: l, target: .down) != nil {
            eachRows(n) { r in
                let o = r.lowerBound * ff
                TrainingMath.gatedActivation(activation, g: a.g + o, u: a.u + o, out: a.h + o, count: r.count * ff)
            }
        }
        linearBackward(w.down, l, .down, x: a.h, dy: dDown, dx: dH, rows: n, work: work)
        eachRows(n) { r in
            let o = r.lowerBound * ff
            TrainingMath.gatedActivationBackward(activation, g: a.g + o, u: a.u + o, dh: dH + o, count: r.count * ff)
        }
        let dXn = work.dXn
        dXn.update(repeating: 0, count: n * e)
        rmsNorm(a.x2, w.ffnNorm, a.xn2, rows: n, width: e)   // xn2 is shared: renormalized
        linearBackward(w.gate, l, .gate, x: a.xn2, dy: a.g, dx: dXn, rows: n, work: work)
        linearBackward(w.up, l, .up, x: a.xn2, dy: a.u, dx: dXn, rows: n, work: work)
        rmsNormBackwardRows(a.x2, w.ffnNorm, dy: dXn, dx: dx, rows: n, width: e, accumulate: true)

        // Attention branch: x2 = x + postNorm(oLin).
        let dO = work.dE
        if let pn = w.postAttentionNorm {
            rmsNormBackwardRows(a.oLin, pn, dy: dx, dx: dO, rows: n, width: e, accumulate: false)
        } else {
            dO.update(from: dx, count: n * e)
        }
        let dAttn = work.dAttn
        dAttn.update(repeating: 0, count: n * c.qDim)
        linearBackward(w.output, l, .o, x: a.attn, dy: dO, dx: dAttn, rows: n, work: work)
        AttentionPass.backward(config: c, layer: l, tokens: n, q: a.q, k: a.k, v: a.v, probs: a.probs, dOut: dAttn,
                               dq: work.dQ, dk: work.dK, dv: work.dV, scratch: work.attention, pool: pool)
        let rope = ropes.table(layer: l)
        eachRows(n) { r in
            block.positionHeadsBackward(dq: work.dQ, dk: work.dK, tokens: r, qLinear: a.qLin, kLinear: a.kLin, layer: w,
                                        rope: rope) { x, weight, gradient in
                weight.withUnsafeBufferPointer { wp in
                    TrainingMath.rmsNormBackward(x: x, weight: wp.baseAddress!, dy: gradient, dx: gradient, count: c.headDim,
                                                 eps: c.rmsEpsilon, accumulate: false)
                }
            }
        }
        dXn.update(repeating: 0, count: n * e)
        rmsNorm(x, w.attentionNorm, a.xn1, rows: n, width: e)   // xn1 is shared: renormalized
        linearBackward(w.query, l, .q, x: a.xn1, dy: work.dQ, dx: dXn, rows: n, work: work)
        linearBackward(w.key, l, .k, x: a.xn1, dy: work.dK, dx: dXn, rows: n, work: work)
        linearBackward(w.value, l, .v, x: a.xn1, dy: work.dV, dx: dXn, rows: n, work: work)
        rmsNormBackwardRows(x, w.attentionNorm, dy: dXn, dx: dx, rows: n, width: e, accumulate: true)
    }

    /// For y = x·Wᵀ + s·(x·Aᵀ)·Bᵀ: adds dA, dB to the gradients and dy·W + s·(dy·B)·A to dx.
    private func linearBackward(_ w: QuantMatrix, _ l: Int, _ target: LoRATarget, x: UnsafeMutablePointer<Float>,
                                dy: UnsafeMutablePointer<Float>, dx: UnsafeMutablePointer<Float>, rows: Int, work: Workspace) {
        backwardProduct(w, dy: dy, rows: rows, dx: dx, work: work)
        guard let s = lora.slot(layer: l, target: target) else { return }
        let p = lora.values, g = lora.gradients, scale = lora.scale
        let u = work.u, du = work.du
        // With dropout the LoRA input is x̃ = x⊙mask/(1−p), the same mask as the forward pass.
        let x = dropping ? dropped(x, rows: rows, columns: s.inputs, layer: l, target: target, into: work.dropped) : x
        // u (T, r) = x·Aᵀ
        FloatGEMM.nt(m: rows, n: s.rank, k: s.inputs, a: x, lda: s.inputs, b: p + s.offset, ldb: s.inputs, c: u, ldc: s.rank, pool: pool)
        // dBᵀ (r, out) = s·uᵀ·dy along the outputs, then added to dB (out, r)
        let dBT = work.dBT
        FloatGEMM.tn(m: s.rank, n: s.outputs, k: rows, alpha: scale, a: u, lda: s.rank, b: dy, ldb: s.outputs,
                     c: dBT, ldc: s.outputs, pool: pool)
        let gB = g + s.bOffset
        for o in 0..<s.outputs {
            for k in 0..<s.rank { gB[o * s.rank + k] += dBT[k * s.outputs + o] }
        }
        // du (T, r) = s·dy·B = s·dy·(Bᵀ)ᵀ, dots along the outputs
        FloatGEMM.nt(m: rows, n: s.rank, k: s.outputs, alpha: scale, a: dy, lda: s.outputs,
                     b: lora.transposedB + s.bOffset, ldb: s.outputs, c: du, ldc: s.rank, pool: pool)
        // dA (r, in) += duᵀ·x
        FloatGEMM.tn(m: s.rank, n: s.inputs, k: rows, a: du, lda: s.rank, b: x, ldb: s.inputs, beta: 1, c: g + s.offset, ldc: s.inputs, pool: pool)
        // dx += du·A (through the mask: dx += (du·A)⊙mask/(1−p))
        if dropping {
            let t = work.dropped   // x̃ is no longer needed
            FloatGEMM.nn(m: rows, n: s.inputs, k: s.rank, a: du, lda: s.rank, b: p + s.offset, ldb: s.inputs, c: t, ldc: s.inputs, pool: pool)
            applyMask(t, rows: rows, columns: s.inputs, layer: l, target: target)
            VectorOps.add(t, into: dx, count: rows * s.inputs)
        } else {
            FloatGEMM.nn(m: rows, n: s.inputs, k: s.rank, a: du, lda: s.rank, b: p + s.offset, ldb: s.inputs, beta: 1, c: dx, ldc: s.inputs, pool: pool)
        }
    }

    // MARK: - LoRA dropout

    /// x̃ = x⊙mask/(1−p) into `buffer`.
    private func dropped(_ x: UnsafeMutablePointer<Float>, rows: Int, columns: Int, layer: Int, target: LoRATarget,
                         into buffer: UnsafeMutablePointer<Float>) -> UnsafeMutablePointer<Float> {
        buffer.update(from: x, count: rows * columns)
        applyMask(buffer, rows: rows, columns: columns, layer: layer, target: target)
        return buffer
    }

    /// v ⊙= mask/(1−p). The mask is a pure function of (dropoutSeed, layer, target,
    /// element), so the backward pass and a recomputed layer see the forward's mask.
    private func applyMask(_ v: UnsafeMutablePointer<Float>, rows: Int, columns: Int, layer: Int, target: LoRATarget) {
        let keep = 1 / (1 - loraDropout)
        // Keep an element when its 24-bit hash fraction is at least p.
        let threshold = UInt64((Double(loraDropout) * Double(1 << 24)).rounded())
        let targetIndex = UInt64(LoRATarget.allCases.firstIndex(of: target) ?? 0)
        let base = dropoutSeed &* 0x9E37_79B9_7F4A_7C15 ^ (UInt64(layer) << 40) ^ (targetIndex << 56)
        for i in 0..<(rows * columns) {
            var z = base &+ UInt64(i) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            v[i] = (z >> 40) >= threshold ? v[i] * keep : 0
        }
    }

    // MARK: - Output head and loss

    /// Final norm, logits for rows with a target, cross-entropy; with `dx`,
    /// writes dLoss/d(final residual) there (zero on rows without a target).
    private func head(x: UnsafeMutablePointer<Float>, targets: [Int32], gradScale: Float,
                      dx: UnsafeMutablePointer<Float>?, work: Workspace) -> (loss: Double, count: Int) {
        let c = config, e = c.embedding, vocab = c.vocabulary
        let rows = targets.indices.filter { targets[$0] >= 0 }
        dx?.update(repeating: 0, count: targets.count * e)
        guard !rows.isEmpty else { return (0, 0) }
        let chunk = max(1, min(64, 16_000_000 / max(vocab, 1)))
        let xf = UnsafeMutablePointer<Float>.allocate(capacity: chunk * e)
        let dxf = UnsafeMutablePointer<Float>.allocate(capacity: chunk * e)
        let logits = UnsafeMutablePointer<Float>.allocate(capacity: chunk * vocab)
        let rowLoss = UnsafeMutablePointer<Double>.allocate(capacity: chunk)
        defer { xf.deallocate(); dxf.deallocate(); logits.deallocate(); rowLoss.deallocate() }
        var total: Double = 0
        model.weights.outputNorm.withUnsafeBufferPointer { normW in
            var start = 0
            while start < rows.count {
                let part = Array(rows[start..<min(rows.count, start + chunk)])
                eachRows(part.count) { range in
                    for i in range {
                        VectorOps.rmsNorm(x + part[i] * e, weight: normW.baseAddress!, eps: c.rmsEpsilon, count: e, out: xf + i * e)
                    }
                }
                MatMul.multiply(model.weights.output, x: xf, tokens: part.count, y: logits, pool: pool)
                if let r = lora.newTokenRows {
                    // The new tokens' logits from the trained rows (the matrix holds their initial values):
                    // logits[:, first..<first+count] (part, count) = xf (part, e) · Oᵀ (e, count)
                    FloatGEMM.nt(m: part.count, n: r.count, k: e, a: xf, lda: e, b: lora.values + r.outputOffset, ldb: e,
                                 c: logits + r.first, ldc: vocab, pool: pool)
                }
                // Each row on its own (a worker per range of rows); the losses are summed in row order.
                eachRows(part.count) { range in
                    // tanh(z/cap) of the row being worked on (each worker its own).
                    let saved = UnsafeMutablePointer<Float>.allocate(capacity: c.finalLogitSoftcap == nil ? 1 : vocab)
                    defer { saved.deallocate() }
                    for i in range {
                        let row = logits + i * vocab, target = Int(targets[part[i]])
                        if let cap = c.finalLogitSoftcap {
                            // Keep tanh(z/cap) in place of z; the gradient needs it.
                            for j in 0..<vocab { row[j] = tanhf(row[j] / cap) }
                            saved.update(from: row, count: vocab)
                            for j in 0..<vocab { row[j] *= cap }
                            rowLoss[i] = TrainingMath.crossEntropy(row, count: vocab, target: target, scale: gradScale)
                            for j in 0..<vocab { row[j] *= 1 - saved[j] * saved[j] }
                        } else {
                            rowLoss[i] = TrainingMath.crossEntropy(row, count: vocab, target: target, scale: gradScale)
                        }
                    }
                }
                for i in 0..<part.count { total += rowLoss[i] }
                if let dx {
                    dxf.update(repeating: 0, count: part.count * e)
                    if let r = lora.newTokenRows {
                        // dO (count, e) += dLogits[:, new]ᵀ · xf;  dxf (part, e) += dLogits[:, new] · O;
                        // then the matrix product below must not add the stale initial rows again.
                        FloatGEMM.tn(m: r.count, n: e, k: part.count, a: logits + r.first, lda: vocab, b: xf, ldb: e,
                                     beta: 1, c: lora.gradients + r.outputOffset, ldc: e, pool: pool)
                        FloatGEMM.nn(m: part.count, n: e, k: r.count, a: logits + r.first, lda: vocab,
                                     b: lora.values + r.outputOffset, ldb: e, beta: 1, c: dxf, ldc: e, pool: pool)
                        for i in 0..<part.count { (logits + i * vocab + r.first).update(repeating: 0, count: r.count) }
                    }
                    backwardProduct(model.weights.output, dy: logits, rows: part.count, dx: dxf, work: work)
                    eachRows(part.count) { range in
                        for i in range {
                            TrainingMath.rmsNormBackward(x: x + part[i] * e, weight: normW.baseAddress!, dy: dxf + i * e,
                                                         dx: dx + part[i] * e, count: e, eps: c.rmsEpsilon, accumulate: false)
                        }
                    }
                }
                start += part.count
            }
        }
        return (total, rows.count)
    }

    // MARK: - Helpers

    /// dx (rows, in) += dy (rows, out) · W.
    private func backwardProduct(_ w: QuantMatrix, dy: UnsafeMutablePointer<Float>, rows: Int, dx: UnsafeMutablePointer<Float>,
                                 work: Workspace) {
        let quantized = ![.f32, .f16, .bf16].contains(w.type)
        if backwardProduct == .int8, quantized, let wt = transposedCopy(w) {
            let tmp = work.product(rows * w.columns)
            // dY is quantized per 32-block with an fp16 scale (Q8_0), and a training step's
            // gradients are small (the loss is scaled by 1/tokens, and shrinks layer by
            // layer): block scales fell into fp16's subnormal range or to zero, and the
            // product lost most small gradients (Gemma-3: cosine 0.92 to the float
            // product, 9% of the LoRA gradient signs flipped). So each row of dY is
            // scaled by a power of two that brings its largest entry near 2^15 (loss
            // scaling, per row), and its product row scaled back: both exact in F32.
            // dY is restored bit for bit afterwards (it is scaled in place, no copy).
            let scales = UnsafeMutablePointer<Float>.allocate(capacity: rows)
            defer { scales.deallocate() }
            eachRows(rows) { range in
                for r in range {
                    scales[r] = Self.lossScale(dy + r * w.rows, count: w.rows)
                    if scales[r] != 1 { VectorOps.scale(dy + r * w.rows, by: scales[r], count: w.rows) }
                }
            }
            MatMul.multiplyBlockSums(wt.matrix, x: dy, tokens: rows, y: tmp, pool: pool)
            eachRows(rows) { range in
                for r in range {
                    let inverse = 1 / scales[r]   // a power of two: exact
                    if scales[r] != 1 { VectorOps.scale(dy + r * w.rows, by: inverse, count: w.rows) }
                    // out += y·inverse (no fma: the product is exact, the sum rounds once)
                    VectorOps.axpy(inverse, tmp + r * w.columns, dx + r * w.columns, count: w.columns)
                }
            }
        } else {
            MatMul.accumulateTransposed(w, dy: dy, tokens: rows, dx: dx, pool: pool)
        }
    }

    /// The power of two that brings the largest |x| of a row into [2^15, 2^16), or 1
    /// for a row of zeros (or one that holds a non-finite value, left as it is).
    static func lossScale(_ x: UnsafePointer<Float>, count: Int) -> Float {
        guard let largest = VectorOps.largestMagnitude(x, count: count), largest > 0 else { return 1 }
        // largest = m·2^e with m in [1, 2): scale by 2^(15 − e), within F32's exponent range.
        let shift = max(-126, min(127, 15 - Int(largest.exponent)))
        return Float(sign: .plus, exponent: shift, significand: 1)
    }

    private func buffers(tokens n: Int, keep: Int, backward: Bool) -> PassBuffers {
        // A loss-only pass (evaluation) runs every layer through one scratch set: any set of n rows will do.
        if let b = passBuffers, b.tokens == n, b.kept.count == keep || !backward { return b }
        passBuffers = nil   // free the old set before allocating the new one
        let b = PassBuffers(tokens: n, keep: keep, config: config, rank: lora.rank, workers: pool.threads,
                            headNorms: headNorms, postNorms: postNorms)
        passBuffers = b
        return b
    }

    /// [0, rows) in one contiguous piece per worker.
    private func eachRows(_ rows: Int, _ body: (Range<Int>) -> Void) {
        guard rows > 1, pool.threads > 1 else { body(0..<rows); return }
        pool.run { worker, workers in
            let lo = rows * worker / workers, hi = rows * (worker + 1) / workers
            if lo < hi { body(lo..<hi) }
        }
    }

    private func transposedCopy(_ w: QuantMatrix) -> TransposedQ8? {
        if let t = transposed[w.base] { return t }
        if transposedMissing.contains(w.base) { return nil }
        guard let t = TransposedQ8(w) else { transposedMissing.insert(w.base); return nil }
        transposed[w.base] = t
        return t
    }

    private func rmsNorm(_ x: UnsafeMutablePointer<Float>, _ w: [Float], _ out: UnsafeMutablePointer<Float>, rows: Int, width: Int) {
        let eps = config.rmsEpsilon
        w.withUnsafeBufferPointer { wp in
            eachRows(rows) { range in
                for r in range {
                    VectorOps.rmsNorm(x + r * width, weight: wp.baseAddress!, eps: eps, count: width, out: out + r * width)
                }
            }
        }
    }

    private func rmsNormBackwardRows(_ x: UnsafeMutablePointer<Float>, _ w: [Float], dy: UnsafeMutablePointer<Float>,
                                     dx: UnsafeMutablePointer<Float>, rows: Int, width: Int, accumulate: Bool) {
        let eps = config.rmsEpsilon
        w.withUnsafeBufferPointer { wp in
            eachRows(rows) { range in
                for r in range {
                    TrainingMath.rmsNormBackward(x: x + r * width, weight: wp.baseAddress!, dy: dy + r * width, dx: dx + r * width,
                                                 count: width, eps: eps, accumulate: accumulate)
                }
            }
        }
    }

    private func addBias(_ bias: [Float]?, _ y: UnsafeMutablePointer<Float>, rows: Int, width: Int) {
        guard let bias else { return }
        bias.withUnsafeBufferPointer { b in
            for r in 0..<rows { VectorOps.add(b.baseAddress!, into: y + r * width, count: width) }
        }
    }
}
