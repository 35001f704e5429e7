import Kernels

/// What the architectures' decoder blocks do differently, written once for every pass
/// that runs the block: inference (``Transformer``) and LoRA training (forward and
/// backward, in the Training module).
///
/// Each architecture's *switches* are its ``ArchitectureTraits``, in its own file; what
/// a switch *does* (per-head q/k norms before RoPE, the local RoPE base of sliding
/// layers, the sliding window's first visible key, sandwich norms around the residual
/// add, the embedding scale) is here, so a new architecture that reuses these quirks
/// touches one file, and a new quirk is written once for inference and training alike.
/// The plain reference (`ReferenceTransformer`) keeps its own loops on purpose: it is
/// the oracle both are tested against.
public struct DecoderBlock: Sendable {
    public let config: ModelConfig
    public let traits: ArchitectureTraits

    public init(config: ModelConfig, traits: ArchitectureTraits) {
        self.config = config
        self.traits = traits
    }

    /// Embedding rows are multiplied by √n_embd on Gemma; `nil` where they are not scaled.
    public var embeddingScale: Float? {
        traits.scalesEmbedding ? Float(config.embedding).squareRoot() : nil
    }

    /// The RoPE tables of a pass over `positions`: the global one (the model's base and
    /// scaling, per-frequency factors) and, on models with sliding layers, the local one
    /// (its own base, no scaling).
    public struct Ropes: Sendable {
        public let global: RopeTable
        public let sliding: RopeTable
        let config: ModelConfig

        /// The table of layer `layer`.
        public func table(layer: Int) -> RopeTable { config.isSliding(layer) ? sliding : global }
    }

    public func ropes<P: Collection<Int>>(positions: P, factors: [Float]?) -> Ropes {
        let c = config
        let global = RopeTable(positions: positions, dimensions: c.ropeDimensions, base: c.ropeBase,
                               freqScale: c.ropeFrequencyScale, factors: factors)
        let sliding = c.slidingWindow > 0
            ? RopeTable(positions: positions, dimensions: c.ropeDimensions, base: c.ropeBaseSliding, freqScale: 1, factors: nil)
            : global
        return Ropes(global: global, sliding: sliding, config: c)
    }

    /// The first key position a query at `position` sees on layer `layer`: 0, or on a
    /// sliding layer the start of its window (llama.cpp's `is_masked_swa`: keys more than
    /// `window - 1` positions back are masked).
    @inline(__always)
    public func firstVisible(position: Int, layer: Int) -> Int {
        Self.firstVisible(position: position, window: window(layer: layer))
    }

    /// The attention window of layer `layer` in keys; 0 where attention is global.
    public func window(layer: Int) -> Int { Self.window(layer: layer, config: config) }

    public static func window(layer: Int, config c: ModelConfig) -> Int {
        c.isSliding(layer) ? c.slidingWindow : 0
    }

    /// ``firstVisible(position:layer:)`` with the layer's ``window(layer:)`` looked up once
    /// outside the hot loop (the lookup reads the configuration's arrays).
    @inline(__always)
    public static func firstVisible(position: Int, window: Int) -> Int {
        window > 0 ? max(0, position - window + 1) : 0
    }

    /// Puts q and k heads in position, in place, for token rows `tokens`: each head's
    /// RMSNorm where the layer has q/k norms (Gemma 3), then RoPE in the architecture's
    /// style. `q` is (tokens, qDim), `k` (tokens, kvDim), row `t` at position `rope`'s `t`.
    public func positionHeads(q: UnsafeMutablePointer<Float>, k: UnsafeMutablePointer<Float>, tokens: Range<Int>,
                              layer w: LayerWeights, rope: RopeTable) {
        let c = config
        for t in tokens {
            for h in 0..<c.heads {
                let head = q + t * c.qDim + h * c.headDim
                if let qn = w.queryNorm { normalize(head, qn) }
                rope.apply(head, token: t, style: traits.ropeStyle)
            }
            for h in 0..<c.kvHeads {
                let head = k + t * c.kvDim + h * c.headDim
                if let kn = w.keyNorm { normalize(head, kn) }
                rope.apply(head, token: t, style: traits.ropeStyle)
            }
        }
    }

    /// The gradient through ``positionHeads(q:k:tokens:layer:rope:)``, in place, in the
    /// reverse order: RoPE's inverse, then the head norm's backward, which `normBackward`
    /// computes from the head before its norm (`qLinear`/`kLinear`, shaped as q and k),
    /// the norm's weight and the gradient (in place: dy is dx).
    public func positionHeadsBackward(
        dq: UnsafeMutablePointer<Float>, dk: UnsafeMutablePointer<Float>, tokens: Range<Int>,
        qLinear: UnsafeMutablePointer<Float>, kLinear: UnsafeMutablePointer<Float>, layer w: LayerWeights, rope: RopeTable,
        normBackward: (_ x: UnsafeMutablePointer<Float>, _ weight: [Float], _ gradient: UnsafeMutablePointer<Float>) -> Void
    ) {
        let c = config
        for t in tokens {
            for h in 0..<c.heads {
                let offset = t * c.qDim + h * c.headDim
                rope.applyInverse(dq + offset, token: t, style: traits.ropeStyle)
                if let qn = w.queryNorm { normBackward(qLinear + offset, qn, dq + offset) }
            }
            for h in 0..<c.kvHeads {
                let offset = t * c.kvDim + h * c.headDim
                rope.applyInverse(dk + offset, token: t, style: traits.ropeStyle)
                if let kn = w.keyNorm { normBackward(kLinear + offset, kn, dk + offset) }
            }
        }
    }

    /// The residual add after a branch (attention or feed-forward) for `rows` rows of the
    /// embedding: `out = residual + branch`, or with the layer's sandwich post-norm (Gemma
    /// 2/3) `out = residual + rmsNorm(branch)`; the normalized branch is written to
    /// `normalized` first (which may be `branch`). `out` may be `residual`.
    public func addBranch(_ branch: UnsafeMutablePointer<Float>, postNorm: [Float]?, normalized: UnsafeMutablePointer<Float>,
                          residual: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>, rows: Range<Int>) {
        let e = config.embedding
        let start = rows.lowerBound * e, count = rows.count * e
        var added = branch + start
        if let postNorm {
            postNorm.withUnsafeBufferPointer { wp in
                for r in rows {
                    VectorOps.rmsNorm(branch + r * e, weight: wp.baseAddress!, eps: config.rmsEpsilon, count: e, out: normalized + r * e)
                }
            }
            added = normalized + start
        }
        if added == out + start {
            // `out` already holds the normalized branch.
            VectorOps.add(residual + start, into: out + start, count: count)
        } else {
            if out != residual { (out + start).update(from: residual + start, count: count) }
            VectorOps.add(added, into: out + start, count: count)
        }
    }

    private func normalize(_ head: UnsafeMutablePointer<Float>, _ weight: [Float]) {
        weight.withUnsafeBufferPointer { wp in
            VectorOps.rmsNorm(head, weight: wp.baseAddress!, eps: config.rmsEpsilon, count: config.headDim, out: head)
        }
    }
}
