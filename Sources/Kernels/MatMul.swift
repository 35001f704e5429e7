import CKernels
import GGUF

/// Matrix × activations, the bulk of inference time.
public enum MatMul {
    /// The activation type llama.cpp pairs a weight type with (Q8_0 for
    /// Q4_0/Q5_0/Q8_0, Q8_1 for Q4_1/Q5_1, Q8_K for K-quants); float weights
    /// use F32 activations.
    public static func activationType(for weight: GGMLType) -> GGMLType? {
        let t = ck_vec_dot_type(Int32(weight.rawValue))
        return t < 0 ? nil : GGMLType(rawValue: UInt32(t))
    }

    /// y[t*rows + r] = sum_c W[r,c] * x[t*columns + c] for t in 0..<tokens.
    /// Activations are quantized once per call to the weight's pair type,
    /// then output rows are shared out to the pool's workers in chunks; the C
    /// driver tiles rows so a block of weight rows serves every token while cached.
    public static func multiply(_ w: QuantMatrix, x: UnsafePointer<Float>, tokens: Int, y: UnsafeMutablePointer<Float>, pool: ThreadPool) {
        precondition(tokens >= 0, "negative token count")
        guard tokens > 0, w.rows > 0, let act = activationType(for: w.type) else { return }
        pool.exclusive { multiplyLocked(w, act: act, x: x, tokens: tokens, y: y, pool: pool) }
    }

    private static func multiplyLocked(_ w: QuantMatrix, act: GGMLType, x: UnsafePointer<Float>, tokens: Int,
                                       y: UnsafeMutablePointer<Float>, pool: ThreadPool) {
        let columns = w.columns
        let actRaw = Int32(act.rawValue)
        let a: UnsafeRawPointer
        let aStride: Int
        if act == .f32 {
            a = UnsafeRawPointer(x)
            aStride = columns * MemoryLayout<Float>.stride
        } else {
            // QuantMatrix guarantees whole blocks of the weight type, and each
            // pair type has the same block size, so this cannot fail.
            aStride = act.rowBytes(columns) ?? 0
            let buf = pool.scratchBuffer(bytes: aStride * tokens)
            a = UnsafeRawPointer(buf)
            if tokens >= 2 * pool.threads && pool.threads > 1 {
                pool.runUnlocked { worker, count in
                    var t = worker
                    while t < tokens {
                        ck_quantize_act(actRaw, x + t * columns, buf + t * aStride, Int32(columns))
                        t += count
                    }
                }
            } else {
                for t in 0..<tokens {
                    ck_quantize_act(actRaw, x + t * columns, buf + t * aStride, Int32(columns))
                }
            }
        }
        let rows = w.rows
        let wType = Int32(w.type.rawValue)
        // Workers claim chunks of rows from a shared counter: a worker that
        // the OS delays just takes fewer chunks. Chunks are a multiple of the
        // C driver's 16-row tile and small enough to give every worker several.
        let chunk = max(16, min(64, (rows / (pool.threads * 4) + 15) / 16 * 16))
        var nextRow: Int32 = 0
        withUnsafeMutablePointer(to: &nextRow) { next in
            pool.runUnlocked { _, _ in
                ck_gemm_claim(wType, w.base, w.rowBytes, Int32(rows), next, Int32(chunk), a, aStride,
                              Int32(tokens), Int32(columns), y, rows)
            }
        }
    }

    /// Scalar reference: dequantize each row and dot in Float (no activation
    /// quantization), accumulating in Double to stay an honest oracle.
    public static func reference(_ w: QuantMatrix, x: UnsafePointer<Float>, tokens: Int, y: UnsafeMutablePointer<Float>) {
        let row = UnsafeMutablePointer<Float>.allocate(capacity: w.columns)
        defer { row.deallocate() }
        for r in 0..<w.rows {
            Dequantize.reference(w.type, w.row(r), row, count: w.columns)
            for t in 0..<tokens {
                var s: Double = 0
                let xt = x + t * w.columns
                for c in 0..<w.columns { s += Double(row[c]) * Double(xt[c]) }
                y[t * w.rows + r] = Float(s)
            }
        }
    }
}
