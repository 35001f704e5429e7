import Kernels
import Models

/// Scratch buffers of one training pass.
final class Workspace {
    let dx, dE, dXn, dFF, dAttn, dQ, dK, dV, u, du, dBT, discard, dropped: UnsafeMutablePointer<Float>
    /// LayerActivations.Shared's buffers.
    let normed, gated, branch: UnsafeMutablePointer<Float>
    let attention: AttentionPass.Scratch
    private var owned: [UnsafeMutablePointer<Float>] = []

    init(tokens n: Int, config c: ModelConfig, rank: Int, workers: Int) {
        var owned: [UnsafeMutablePointer<Float>] = []
        func buf(_ count: Int) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
            p.initialize(repeating: 0, count: max(count, 1))
            owned.append(p)
            return p
        }
        dx = buf(n * c.embedding)        // (T, embd) gradient of the residual stream
        dE = buf(n * c.embedding)        // (T, embd) gradient of a branch output
        dXn = buf(n * c.embedding)       // (T, embd) gradient of a normed input
        dFF = buf(n * c.feedForward)     // (T, ff)
        dAttn = buf(n * c.qDim)          // (T, heads·hd)
        dQ = buf(n * c.qDim)
        dK = buf(n * c.kvDim)
        dV = buf(n * c.kvDim)
        u = buf(n * max(rank, 1))        // (T, r) x·Aᵀ
        du = buf(n * max(rank, 1))       // (T, r)
        dBT = buf(max(rank, 1) * max(c.qDim, c.embedding, c.kvDim, c.feedForward))   // (r, out)
        discard = buf(n * c.embedding)   // layer output of a recomputation (already known)
        dropped = buf(n * max(c.embedding, c.feedForward, c.qDim))   // (T, in) a LoRA input after dropout
        normed = buf(n * c.embedding)    // (T, embd)
        gated = buf(n * c.feedForward)   // (T, ff)
        branch = buf(n * max(c.embedding, c.qDim))   // (T, embd)
        attention = AttentionPass.Scratch(tokens: n, config: c, workers: workers)
        self.owned = owned
    }

    private var productBuffer: UnsafeMutablePointer<Float>?
    private var productCount = 0

    /// Scratch for a backward product's result, at least `count` floats.
    func product(_ count: Int) -> UnsafeMutablePointer<Float> {
        if let productBuffer, productCount >= count { return productBuffer }
        productBuffer?.deallocate()
        let p = UnsafeMutablePointer<Float>.allocate(capacity: count)
        productBuffer = p
        productCount = count
        return p
    }

    func free() {
        for p in owned { p.deallocate() }
        owned = []
        productBuffer?.deallocate()
        productBuffer = nil
        attention.free()
    }
}

/// Everything one pass of `tokens` rows allocates: layer inputs, the kept
/// layers' activations, one set for recomputed layers, and the workspace.
final class PassBuffers {
    let tokens: Int
    let inputs: [UnsafeMutablePointer<Float>]
    let kept: [LayerActivations]
    /// The set a layer that is not kept runs through (recomputed in the backward pass, or a loss-only pass).
    let scratch: LayerActivations
    let work: Workspace

    init(tokens n: Int, keep: Int, config c: ModelConfig, rank: Int, workers: Int, headNorms: Bool, postNorms: Bool) {
        tokens = n
        inputs = (0...c.layers).map { _ in UnsafeMutablePointer<Float>.allocate(capacity: n * c.embedding) }
        work = Workspace(tokens: n, config: c, rank: rank, workers: workers)
        let shared = LayerActivations.Shared(normed: work.normed, gated: work.gated, branch: work.branch)
        func layer() -> LayerActivations {
            LayerActivations(tokens: n, config: c, headNorms: headNorms, postNorms: postNorms, shared: shared)
        }
        kept = (0..<keep).map { _ in layer() }
        scratch = keep < c.layers ? layer() : kept[0]
    }

    deinit {
        inputs.forEach { $0.deallocate() }
        work.free()
    }
}
