import CKernels

/// Row-major F32 matrix products for LoRA terms and training (CKernels'
/// train.c). Leading dimensions are in elements; `beta == 0` overwrites C.
public enum FloatGEMM {
    /// C (m×n) = beta·C + alpha·A (m×k) · Bᵀ, B stored (n×k).
    @inline(__always)
    public static func nt(m: Int, n: Int, k: Int, alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                          b: UnsafePointer<Float>, ldb: Int, beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard m > 0, n > 0 else { return }
        ck_sgemm_nt(Int32(m), Int32(n), Int32(k), alpha, a, lda, b, ldb, beta, c, ldc)
    }

    /// C (m×n) = beta·C + alpha·A (m×k) · B (k×n).
    @inline(__always)
    public static func nn(m: Int, n: Int, k: Int, alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                          b: UnsafePointer<Float>, ldb: Int, beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard m > 0, n > 0 else { return }
        ck_sgemm_nn(Int32(m), Int32(n), Int32(k), alpha, a, lda, b, ldb, beta, c, ldc)
    }

    /// C (m×n) = beta·C + alpha·Aᵀ · B, A stored (k×m), B (k×n).
    @inline(__always)
    public static func tn(m: Int, n: Int, k: Int, alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                          b: UnsafePointer<Float>, ldb: Int, beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard m > 0, n > 0 else { return }
        ck_sgemm_tn(Int32(m), Int32(n), Int32(k), alpha, a, lda, b, ldb, beta, c, ldc)
    }

    /// `nt` with C's rows split over the pool: every output is still one dot
    /// product, so the bits are `nt`'s.
    public static func nt(m: Int, n: Int, k: Int, alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                          b: UnsafePointer<Float>, ldb: Int, beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int,
                          pool: ThreadPool) {
        splitting(m, pool: pool) { r in
            nt(m: r.count, n: n, k: k, alpha: alpha, a: a + r.lowerBound * lda, lda: lda, b: b, ldb: ldb, beta: beta,
               c: c + r.lowerBound * ldc, ldc: ldc)
        }
    }

    /// `nn` with C's rows split over the pool (each row is computed on its own: `nn`'s bits).
    public static func nn(m: Int, n: Int, k: Int, alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                          b: UnsafePointer<Float>, ldb: Int, beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int,
                          pool: ThreadPool) {
        splitting(m, pool: pool) { r in
            nn(m: r.count, n: n, k: k, alpha: alpha, a: a + r.lowerBound * lda, lda: lda, b: b, ldb: ldb, beta: beta,
               c: c + r.lowerBound * ldc, ldc: ldc)
        }
    }

    /// `tn` with C's columns split over the pool (each column's sums run over
    /// the same k in the same order: `tn`'s bits), at multiples of 32 columns
    /// so every piece keeps whole AVX-512 tiles.
    public static func tn(m: Int, n: Int, k: Int, alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                          b: UnsafePointer<Float>, ldb: Int, beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int,
                          pool: ThreadPool) {
        splitting(n, pool: pool, multipleOf: 32) { r in
            tn(m: m, n: r.count, k: k, alpha: alpha, a: a, lda: lda, b: b + r.lowerBound, ldb: ldb, beta: beta,
               c: c + r.lowerBound, ldc: ldc)
        }
    }

    /// [0, count) in one contiguous piece per worker (boundaries at multiples
    /// of `multipleOf`, so vector loops keep whole registers); inline when small.
    private static func splitting(_ count: Int, pool: ThreadPool, multipleOf unit: Int = 1, _ body: (Range<Int>) -> Void) {
        let units = (count + unit - 1) / unit
        guard pool.threads > 1, units > 1, count >= 32 else { body(0..<count); return }
        pool.run { worker, workers in
            let lo = min(count, units * worker / workers * unit), hi = min(count, units * (worker + 1) / workers * unit)
            if lo < hi { body(lo..<hi) }
        }
    }

    /// Plain Swift C = alpha·A·Bᵀ + beta·C accumulated in Double: the oracle for tests.
    public static func referenceNT(m: Int, n: Int, k: Int, alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                                   b: UnsafePointer<Float>, ldb: Int, beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for p in 0..<k { s += Double(a[i * lda + p]) * Double(b[j * ldb + p]) }
                let v = alpha * Float(s)
                c[i * ldc + j] = beta == 0 ? v : beta * c[i * ldc + j] + v
            }
        }
    }
}

extension MatMul {
    /// dx (tokens, columns) += dy (tokens, rows) · W — the backward product
    /// through a frozen weight, kept in its quant type: each worker takes a
    /// slice of columns and dequantizes 8 rows of it at a time.
    public static func accumulateTransposed(_ w: QuantMatrix, dy: UnsafePointer<Float>, tokens: Int,
                                            dx: UnsafeMutablePointer<Float>, pool: ThreadPool) {
        guard tokens > 0, w.rows > 0 else { return }
        let block = w.type.blockSize
        let blocks = w.columns / block
        // Slices of whole blocks, a few per worker so a slow worker holds up little.
        let slices = max(1, min(blocks, pool.threads * 2))
        let wType = Int32(w.type.rawValue)
        let maxWidth = (blocks + slices - 1) / slices * block
        pool.run { worker, workers in
            let tile = UnsafeMutablePointer<Float>.allocate(capacity: Self.transposedTileRows * maxWidth)
            defer { tile.deallocate() }
            var s = worker
            while s < slices {
                let b0 = blocks * s / slices, b1 = blocks * (s + 1) / slices
                if b1 > b0 {
                    _ = ck_matmul_t_cols(wType, w.base, w.rowBytes, Int32(w.rows), Int32(b0 * block), Int32(b1 * block),
                                         dy, w.rows, Int32(tokens), dx, w.columns, tile)
                }
                s += workers
            }
        }
    }

    /// Rows per dequantized tile (CK_TROWS in train.c).
    static let transposedTileRows = 32

    /// Scalar oracle for `accumulateTransposed`.
    public static func referenceTransposed(_ w: QuantMatrix, dy: UnsafePointer<Float>, tokens: Int, dx: UnsafeMutablePointer<Float>) {
        let row = UnsafeMutablePointer<Float>.allocate(capacity: w.columns)
        defer { row.deallocate() }
        for r in 0..<w.rows {
            Dequantize.reference(w.type, w.row(r), row, count: w.columns)
            for t in 0..<tokens {
                let g = dy[t * w.rows + r]
                for c in 0..<w.columns { dx[t * w.columns + c] += g * row[c] }
            }
        }
    }
}
