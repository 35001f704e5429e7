import Foundation
import Kernels
import Models

/// Causal (and sliding-window) softmax attention with explicit probabilities,
/// forward and backward, one head per task on the pool. GQA: head h reads
/// kv head h / (heads / kvHeads).
enum AttentionPass {
    /// Per-worker and per-head buffers of the backward pass.
    final class Scratch {
        let dP: UnsafeMutablePointer<Float>     // (workers, T, T)
        let dKh: UnsafeMutablePointer<Float>    // (heads, T, hd) per-head dK before the group sum
        let dVh: UnsafeMutablePointer<Float>    // (heads, T, hd)

        init(tokens n: Int, config c: ModelConfig, workers: Int) {
            dP = .allocate(capacity: max(1, workers * n * n))
            dKh = .allocate(capacity: max(1, c.heads * n * c.headDim))
            dVh = .allocate(capacity: max(1, c.heads * n * c.headDim))
        }

        func free() {
            dP.deallocate()
            dKh.deallocate()
            dVh.deallocate()
        }
    }

    /// Query rows whose scores are one matrix product (the F32 GEMM's register tile is 4 rows).
    static let rowBlock = 16

    /// Rows of a causal product in blocks [i0, i1), so a block's sums run only
    /// over the keys (queries, for the transposed products) that can be nonzero
    /// for it: P[i, j] = 0 for j > i. The terms left out were zero, which the
    /// GEMMs skip anyway, so every output keeps its bits.
    @inline(__always)
    static func causalRows(_ n: Int, _ body: (Int, Int) -> Void) {
        for i0 in stride(from: 0, to: n, by: 32) { body(i0, min(n, i0 + 32)) }
    }

    /// First visible key position of query row `i` (the decoder block's window rule).
    @inline(__always)
    static func lowest(_ i: Int, layer: Int, config c: ModelConfig) -> Int {
        DecoderBlock.firstVisible(position: i, window: DecoderBlock.window(layer: layer, config: c))
    }

    /// probs (heads, T, T) = softmax(scale·q·kᵀ) over visible keys (0 elsewhere);
    /// out (T, heads·hd) = probs·v.
    static func forward(config c: ModelConfig, layer: Int, tokens n: Int, q: UnsafePointer<Float>, k: UnsafePointer<Float>,
                        v: UnsafePointer<Float>, probs: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>, pool: ThreadPool) {
        let hd = c.headDim, group = c.heads / c.kvHeads
        pool.run { worker, workers in
            var h = worker
            while h < c.heads {
                let p = probs + h * n * n
                let kv = (h / group) * hd
                for i0 in stride(from: 0, to: n, by: rowBlock) {
                    // Scores of a block of rows over the keys any of them sees (the
                    // causal mask halves the work); each row then keeps its own range.
                    let i1 = min(n, i0 + rowBlock), lo0 = lowest(i0, layer: layer, config: c)
                    FloatGEMM.nt(m: i1 - i0, n: i1 - lo0, k: hd, alpha: c.attentionScale, a: q + i0 * c.qDim + h * hd,
                                 lda: c.qDim, b: k + lo0 * c.kvDim + kv, ldb: c.kvDim, c: p + i0 * n + lo0, ldc: n)
                    for i in i0..<i1 {
                        let row = p + i * n
                        let lo = lowest(i, layer: layer, config: c)
                        VectorOps.softmax(row + lo, count: i - lo + 1)
                        if lo > 0 { row.update(repeating: 0, count: lo) }
                        if i + 1 < n { (row + i + 1).update(repeating: 0, count: n - i - 1) }
                    }
                }
                causalRows(n) { i0, i1 in
                    FloatGEMM.nn(m: i1 - i0, n: hd, k: i1, a: p + i0 * n, lda: n, b: v + kv, ldb: c.kvDim,
                                 c: out + i0 * c.qDim + h * hd, ldc: c.qDim)
                }
                h += workers
            }
        }
    }

    /// Given dOut (T, heads·hd), writes dq (T, heads·hd), dk and dv (T, kvHeads·hd).
    static func backward(config c: ModelConfig, layer: Int, tokens n: Int, q: UnsafePointer<Float>, k: UnsafePointer<Float>,
                         v: UnsafePointer<Float>, probs: UnsafePointer<Float>, dOut: UnsafePointer<Float>,
                         dq: UnsafeMutablePointer<Float>, dk: UnsafeMutablePointer<Float>, dv: UnsafeMutablePointer<Float>,
                         scratch s: Scratch, pool: ThreadPool) {
        let hd = c.headDim, group = c.heads / c.kvHeads
        pool.run { worker, workers in
            let dP = s.dP + worker * n * n
            var h = worker
            while h < c.heads {
                let p = probs + h * n * n
                let kv = (h / group) * hd
                let dO = dOut + h * hd
                // dV_h (T, hd) = Pᵀ·dO
                causalRows(n) { j0, j1 in
                    FloatGEMM.tn(m: j1 - j0, n: hd, k: n - j0, a: p + j0 * n + j0, lda: n, b: dO + j0 * c.qDim, ldb: c.qDim,
                                 c: s.dVh + (h * n + j0) * hd, ldc: hd)
                }
                // dS = P ⊙ (dP − Σ_j P·dP), in place of dP
                for i0 in stride(from: 0, to: n, by: rowBlock) {
                    // dP rows = dO·vᵀ over the keys any row of the block sees.
                    let i1 = min(n, i0 + rowBlock), lo0 = lowest(i0, layer: layer, config: c)
                    FloatGEMM.nt(m: i1 - i0, n: i1 - lo0, k: hd, a: dO + i0 * c.qDim, lda: c.qDim, b: v + lo0 * c.kvDim + kv,
                                 ldb: c.kvDim, c: dP + i0 * n + lo0, ldc: n)
                }
                for i in 0..<n {
                    let pr = p + i * n, dr = dP + i * n
                    let lo = lowest(i, layer: layer, config: c)
                    // Only the visible keys count (P is 0 elsewhere).
                    if lo > 0 { dr.update(repeating: 0, count: lo) }
                    if i + 1 < n { (dr + i + 1).update(repeating: 0, count: n - i - 1) }
                    var dot: Float = 0
                    for j in lo...i { dot += pr[j] * dr[j] }
                    for j in 0..<n { dr[j] = pr[j] * (dr[j] - dot) }
                }
                // dq_h = scale·dS·k,  dK_h = scale·dSᵀ·q
                causalRows(n) { i0, i1 in
                    FloatGEMM.nn(m: i1 - i0, n: hd, k: i1, alpha: c.attentionScale, a: dP + i0 * n, lda: n, b: k + kv, ldb: c.kvDim,
                                 c: dq + i0 * c.qDim + h * hd, ldc: c.qDim)
                }
                causalRows(n) { j0, j1 in
                    FloatGEMM.tn(m: j1 - j0, n: hd, k: n - j0, alpha: c.attentionScale, a: dP + j0 * n + j0, lda: n,
                                 b: q + j0 * c.qDim + h * hd, ldb: c.qDim, c: s.dKh + (h * n + j0) * hd, ldc: hd)
                }
                h += workers
            }
        }
        // Sum the heads of each kv group.
        dk.update(repeating: 0, count: n * c.kvDim)
        dv.update(repeating: 0, count: n * c.kvDim)
        for h in 0..<c.heads {
            let kv = (h / group) * hd
            for t in 0..<n {
                VectorOps.add(s.dKh + (h * n + t) * hd, into: dk + t * c.kvDim + kv, count: hd)
                VectorOps.add(s.dVh + (h * n + t) * hd, into: dv + t * c.kvDim + kv, count: hd)
            }
        }
    }
}
