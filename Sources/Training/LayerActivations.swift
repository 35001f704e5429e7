import Foundation
import Models

/// What one decoder layer's backward pass needs from its forward pass, for
/// `tokens` rows. Either kept from the loss forward (fast) or refilled by
/// recomputing the layer from its saved input (bounded memory).
final class LayerActivations {
    let tokens: Int
    let xn1, q, k, v, qLin, kLin, probs, attn, oLin, x2, xn2, g, u, h, dLin: UnsafeMutablePointer<Float>
    private let owned: [UnsafeMutablePointer<Float>]

    /// Bytes the buffers of one layer take for `tokens` rows.
    static func bytes(tokens n: Int, config c: ModelConfig) -> Int {
        let perRow = c.embedding * 5 + c.qDim * 3 + c.kvDim * 3 + c.feedForward * 3
        return 4 * (n * perRow + c.heads * n * n)
    }

    init(tokens n: Int, config c: ModelConfig) {
        tokens = n
        var owned: [UnsafeMutablePointer<Float>] = []
        func buf(_ count: Int) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
            p.initialize(repeating: 0, count: max(count, 1))
            owned.append(p)
            return p
        }
        xn1 = buf(n * c.embedding)        // (T, embd) attention-normed input
        q = buf(n * c.qDim)               // (T, heads·hd) after q-norm and RoPE
        k = buf(n * c.kvDim)              // (T, kvHeads·hd) after k-norm and RoPE
        v = buf(n * c.kvDim)              // (T, kvHeads·hd)
        qLin = buf(n * c.qDim)            // (T, heads·hd) before q-norm (Gemma 3)
        kLin = buf(n * c.kvDim)           // (T, kvHeads·hd) before k-norm (Gemma 3)
        probs = buf(c.heads * n * n)      // (heads, T, T) softmax weights, 0 where masked
        attn = buf(n * c.qDim)            // (T, heads·hd) attention output
        oLin = buf(n * c.embedding)       // (T, embd) output projection, before post-norm
        x2 = buf(n * c.embedding)         // (T, embd) residual after attention
        xn2 = buf(n * c.embedding)        // (T, embd) FFN-normed
        g = buf(n * c.feedForward)        // (T, ff) gate
        u = buf(n * c.feedForward)        // (T, ff) up
        h = buf(n * c.feedForward)        // (T, ff) act(gate)·up
        dLin = buf(n * c.embedding)       // (T, embd) down projection, before post-norm
        self.owned = owned
    }

    deinit { for p in owned { p.deallocate() } }
}
