import Foundation
import Models

/// What one decoder layer's backward pass needs from its forward pass, for
/// `tokens` rows. Either kept from the loss forward (fast) or refilled by
/// recomputing the layer from its saved input (bounded memory).
final class LayerActivations {
    let tokens: Int
    let xn1, q, k, v, qLin, kLin, probs, attn, oLin, x2, xn2, g, u, h, dLin: UnsafeMutablePointer<Float>
    private let owned: [UnsafeMutablePointer<Float>]

    /// Buffers every layer writes in its forward pass but the backward pass
    /// recomputes (or never reads), so one copy serves all layers.
    struct Shared {
        /// (T, embd): xn1, then xn2; the backward pass renormalizes from x and x2.
        let normed: UnsafeMutablePointer<Float>
        /// (T, ff): act(g)·u, recomputed from g and u where the backward pass needs it.
        let gated: UnsafeMutablePointer<Float>
        /// (T, embd): a branch output before the residual add, when no post-norm reads it back.
        let branch: UnsafeMutablePointer<Float>
    }

    /// Bytes the buffers of one layer take for `tokens` rows (the shared ones not counted).
    static func bytes(tokens n: Int, config c: ModelConfig, headNorms: Bool, postNorms: Bool) -> Int {
        var perRow = c.embedding + c.qDim * 2 + c.kvDim * 2 + c.feedForward * 2
        if headNorms { perRow += c.qDim + c.kvDim }
        if postNorms { perRow += 2 * c.embedding }
        return 4 * (n * perRow + c.heads * n * n)
    }

    /// Every owned buffer is written by the forward pass before it is read, so
    /// none is zeroed here.
    init(tokens n: Int, config c: ModelConfig, headNorms: Bool, postNorms: Bool, shared: Shared) {
        tokens = n
        var owned: [UnsafeMutablePointer<Float>] = []
        func buf(_ count: Int) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
            owned.append(p)
            return p
        }
        xn1 = shared.normed               // (T, embd) attention-normed input
        q = buf(n * c.qDim)               // (T, heads·hd) after q-norm and RoPE
        k = buf(n * c.kvDim)              // (T, kvHeads·hd) after k-norm and RoPE
        v = buf(n * c.kvDim)              // (T, kvHeads·hd)
        qLin = headNorms ? buf(n * c.qDim) : shared.branch    // (T, heads·hd) before q-norm (Gemma 3)
        kLin = headNorms ? buf(n * c.kvDim) : shared.branch   // (T, kvHeads·hd) before k-norm (Gemma 3)
        probs = buf(c.heads * n * n)      // (heads, T, T) softmax weights, 0 where masked
        attn = buf(n * c.qDim)            // (T, heads·hd) attention output
        oLin = postNorms ? buf(n * c.embedding) : shared.branch   // (T, embd) output projection, before post-norm
        x2 = buf(n * c.embedding)         // (T, embd) residual after attention
        xn2 = shared.normed               // (T, embd) FFN-normed
        g = buf(n * c.feedForward)        // (T, ff) gate
        u = buf(n * c.feedForward)        // (T, ff) up
        h = shared.gated                  // (T, ff) act(gate)·up
        dLin = postNorms ? buf(n * c.embedding) : shared.branch   // (T, embd) down projection, before post-norm
        self.owned = owned
    }

    deinit { for p in owned { p.deallocate() } }
}
