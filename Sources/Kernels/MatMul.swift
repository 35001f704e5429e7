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
        if let iw = w.interleaved {
            pool.exclusive { multiplyInterleaved(w, iw, x: x, tokens: tokens, y: y, pool: pool) }
            return
        }
        if let rp = w.repack, let packed = rp.packed(w) {
            pool.exclusive { multiplyRepacked(w, packed: packed, x: x, tokens: tokens, y: y, pool: pool) }
            return
        }
        pool.exclusive { multiplyLocked(w, act: act, x: x, tokens: tokens, y: y, pool: pool) }
    }

    /// `multiply` for an interleaved Q8_0 matrix by block sums: each row's
    /// 32-element block dot is one exact integer, then one fma per block (not
    /// vec_dot's per-lane float steps, so not llama.cpp's bits, and at least as
    /// accurate). 1.4–5× as fast (AVX2 or AVX-512); for training's backward product,
    /// which no oracle compares bit for bit. Where the CPU lacks AVX2, or the matrix
    /// is not wholly interleaved in 16-row pairs, it is `multiply`.
    public static func multiplyBlockSums(_ w: QuantMatrix, x: UnsafePointer<Float>, tokens: Int, y: UnsafeMutablePointer<Float>,
                                         pool: ThreadPool) {
        guard tokens > 0, w.type == .q8_0, w.rows % 16 == 0, let iw = w.interleaved, iw.rows == w.rows, ck_has_avx2() != 0 else {
            multiply(w, x: x, tokens: tokens, y: y, pool: pool)
            return
        }
        pool.exclusive {
            let buf = quantizeInterleavedActivations(x, columns: w.columns, tokens: tokens, pool: pool)
            let chunk = max(16, interleavedChunk(w.rows, pool) / 16 * 16)
            var nextRow: Int32 = 0
            withUnsafeMutablePointer(to: &nextRow) { next in
                pool.runUnlocked { _, _ in
                    ck_r8_q8_0_blocksum_claim(iw.base, Int32(w.rows), Int32(w.columns), next, Int32(chunk), UnsafeRawPointer(buf),
                                              Int32(tokens), y, w.rows)
                }
            }
        }
    }

    /// Several matrices applied to the same activations (q/k/v, gate/up):
    /// `outputs[i] = matrices[i] · x`. Where all are interleaved with the same
    /// column count the activations are quantized once and one pool job
    /// covers every matrix's rows (each output the same as from `multiply`);
    /// otherwise they run one by one.
    public static func multiply(_ matrices: [QuantMatrix], x: UnsafePointer<Float>, tokens: Int,
                                outputs: [UnsafeMutablePointer<Float>], pool: ThreadPool) {
        precondition(matrices.count == outputs.count, "one output per matrix")
        guard tokens > 0, let first = matrices.first else { return }
        let packed = matrices.compactMap(\.interleaved)
        guard packed.count == matrices.count,
              matrices.allSatisfy({ $0.columns == first.columns && $0.rows > 0 && $0.interleaved?.rows == $0.rows }) else {
            for (w, y) in zip(matrices, outputs) { multiply(w, x: x, tokens: tokens, y: y, pool: pool) }
            return
        }
        pool.exclusive {
            let buf = quantizeInterleavedActivations(x, columns: first.columns, tokens: tokens, pool: pool)
            let jobs = zip(zip(matrices, packed), outputs).map { pair, y in
                ck_r8_job(wtype: Int32(pair.0.type.rawValue), w: UnsafeRawPointer(pair.1.base), rows: Int32(pair.0.rows),
                          cols: Int32(pair.0.columns), y: y, ldy: pair.0.rows, chunk: Int32(interleavedChunk(pair.0.rows, pool)))
            }
            var next: Int32 = 0
            jobs.withUnsafeBufferPointer { jb in
                withUnsafeMutablePointer(to: &next) { counter in
                    pool.runUnlocked { _, _ in
                        ck_r8_gemm_claim_jobs(jb.baseAddress, Int32(jb.count), counter, UnsafeRawPointer(buf), Int32(tokens))
                    }
                }
            }
        }
    }

    /// Rows per claimed chunk: a multiple of 16 rows (pairs of 8-row groups, which the
    /// AVX-512 prefill kernel takes together) where the matrix allows, several chunks
    /// per worker so a descheduled worker holds up little.
    private static func interleavedChunk(_ rows: Int, _ pool: ThreadPool) -> Int {
        max(8, min(64, rows / (pool.threads * 8) / 16 * 16))
    }

    /// `tokens` rows of x quantized to blk_q8_s in the pool's scratch buffer
    /// (in parallel for batches); call inside `exclusive`.
    private static func quantizeInterleavedActivations(_ x: UnsafePointer<Float>, columns: Int, tokens: Int,
                                                       pool: ThreadPool) -> UnsafeMutableRawPointer {
        let aStride = ck_q8s_row_bytes(Int32(columns))
        let buf = pool.scratchBuffer(bytes: aStride * tokens)
        if tokens >= 2 * pool.threads && pool.threads > 1 {
            pool.runUnlocked { worker, count in
                var t = worker
                while t < tokens { ck_quantize_q8s(x + t * columns, buf + t * aStride, Int32(columns)); t += count }
            }
        } else {
            for t in 0..<tokens { ck_quantize_q8s(x + t * columns, buf + t * aStride, Int32(columns)) }
        }
        return buf
    }

    /// The fast path for interleaved weights: activations quantized once to
    /// blk_q8_s (in parallel for batches), then workers claim chunks of 8-row
    /// groups; each group serves up to 4 tokens per pass over its weights.
    private static func multiplyInterleaved(_ w: QuantMatrix, _ iw: InterleavedWeights, x: UnsafePointer<Float>,
                                            tokens: Int, y: UnsafeMutablePointer<Float>, pool: ThreadPool) {
        let columns = w.columns
        let buf = quantizeInterleavedActivations(x, columns: columns, tokens: tokens, pool: pool)
        let rows = iw.rows
        let chunk = interleavedChunk(rows, pool)
        let wType = Int32(w.type.rawValue)
        var nextRow: Int32 = 0
        withUnsafeMutablePointer(to: &nextRow) { next in
            pool.runUnlocked { _, _ in
                ck_r8_gemm_claim(wType, iw.base, Int32(rows), Int32(columns), next, Int32(chunk),
                                 UnsafeRawPointer(buf), Int32(tokens), y, w.rows)
            }
        }
        // The last rows % 8 rows: vec_dot on the source rows, then into their columns of y.
        if let tail = w.interleavedTail, let act = activationType(for: w.type) {
            let out = UnsafeMutablePointer<Float>.allocate(capacity: tokens * tail.rows)
            defer { out.deallocate() }
            multiplyLocked(tail, act: act, x: x, tokens: tokens, y: out, pool: pool)
            for t in 0..<tokens { (y + t * w.rows + rows).update(from: out + t * tail.rows, count: tail.rows) }
        }
    }

    /// llama.cpp's forward_mul_mat for a repacked Q4_K matrix: activations
    /// quantized in groups of 4 rows (block_q8_Kx4) plus plain Q8_K rows for
    /// the leftover tokens, then gemm for the groups and gemv for the rest;
    /// workers claim chunks of 8-row multiples of output rows.
    private static func multiplyRepacked(_ w: QuantMatrix, packed: UnsafeRawPointer, x: UnsafePointer<Float>,
                                         tokens: Int, y: UnsafeMutablePointer<Float>, pool: ThreadPool) {
        let columns = w.columns
        let aStride = GGMLType.q8_K.rowBytes(columns) ?? 0
        let buf = pool.scratchBuffer(bytes: aStride * tokens)
        let groups = tokens / 4
        let units = groups + tokens % 4   // a unit is a 4-row group or one leftover row
        let quantizeUnit = { (u: Int) in
            if u < groups {
                ck_quantize_mat_q8_K_4x8(x + 4 * u * columns, buf + 4 * u * aStride, Int64(columns))
            } else {
                let t = 4 * groups + (u - groups)
                ck_quantize_act(Int32(GGMLType.q8_K.rawValue), x + t * columns, buf + t * aStride, Int32(columns))
            }
        }
        if units >= 2 * pool.threads && pool.threads > 1 {
            pool.runUnlocked { worker, count in
                var u = worker
                while u < units { quantizeUnit(u); u += count }
            }
        } else {
            for u in 0..<units { quantizeUnit(u) }
        }
        let rows = w.rows
        let chunk = max(8, min(64, (rows / (pool.threads * 4) + 7) / 8 * 8))
        var nextRow: Int32 = 0
        withUnsafeMutablePointer(to: &nextRow) { next in
            pool.runUnlocked { _, _ in
                ck_repack_gemm_claim(packed, Int32(rows), next, Int32(chunk), UnsafeRawPointer(buf),
                                     Int32(tokens), Int32(columns), y, rows)
            }
        }
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
                ck_gemm_claim_ex(wType, w.base, w.rowBytes, Int32(rows), next, Int32(chunk), a, aStride,
                                 Int32(tokens), Int32(columns), y, rows, w.allowTiled ? 1 : 0)
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
