import GGUF
@testable import Kernels
import TestSupport
import Testing

/// The backward product dX += dY·W on quantized weights against the scalar oracle,
/// and the float GEMMs against plain loops.
@Suite struct TransposedMatMulTests {
    @Test(arguments: [GGMLType.f32, .q4_1, .q8_0, .q4_K, .q6_K], [1, 3, 4, 9])
    func matchesReference(type: GGMLType, tokens: Int) throws {
        let rows = 70, columns = type.blockSize == 256 ? 512 : 96
        var rng = SeededRandom(seed: 9)
        let floats = rng.floats(rows * columns)
        let bytes = try Quantize.quantize(floats, to: type)
        let dy = rng.floats(tokens * rows)
        let start = rng.floats(tokens * columns)
        try bytes.withUnsafeBytes { raw in
            let m = try QuantMatrix(type: type, rows: rows, columns: columns, base: raw.baseAddress!)
            var fast = start, slow = start
            dy.withUnsafeBufferPointer { d in
                fast.withUnsafeMutableBufferPointer {
                    MatMul.accumulateTransposed(m, dy: d.baseAddress!, tokens: tokens, dx: $0.baseAddress!, pool: ThreadPool(threads: 2))
                }
                slow.withUnsafeMutableBufferPointer { MatMul.referenceTransposed(m, dy: d.baseAddress!, tokens: tokens, dx: $0.baseAddress!) }
            }
            for i in 0..<fast.count {
                #expect(abs(fast[i] - slow[i]) <= 1e-4 * max(1, abs(slow[i])), "\(type) tokens \(tokens) index \(i)")
            }
        }
    }

    /// The int8 backward's Wᵀ copy: Q8_0 rows of Wᵀ in the interleaved layout (the
    /// plain rows it was made from returned to the kernel), with the bits of the
    /// plain Q8_0 matrix quantized from the dequantized transpose.
    @Test(arguments: [GGMLType.q4_1, .q4_K])
    func transposedCopyIsInterleavedWithThePlainBits(type: GGMLType) throws {
        let rows = 64, columns = type.blockSize == 256 ? 256 : 96, tokens = 5
        var rng = SeededRandom(seed: 21)
        let bytes = try Quantize.quantize(rng.floats(rows * columns), to: type)
        let dy = rng.floats(tokens * rows)
        try bytes.withUnsafeBytes { raw in
            let w = try QuantMatrix(type: type, rows: rows, columns: columns, base: raw.baseAddress!)
            let t = try #require(TransposedQ8(w))
            #expect(t.matrix.rows == columns && t.matrix.columns == rows)
            #expect(t.matrix.interleaved?.rows == columns, "every group of 8 rows is interleaved")
            #expect(t.byteCount == columns * GGMLType.q8_0.rowBytes(rows)!)
            // Wᵀ dequantized and quantized row by row, multiplied in the plain layout.
            var dense = [Float](repeating: 0, count: rows * columns)
            dense.withUnsafeMutableBufferPointer { d in
                for r in 0..<rows { Dequantize.row(type, w.row(r), d.baseAddress! + r * columns, count: columns) }
            }
            var wt = [Float](repeating: 0, count: rows * columns)
            for r in 0..<rows { for c in 0..<columns { wt[c * rows + r] = dense[r * columns + c] } }
            let plainBytes = try Quantize.quantize(wt, to: .q8_0)
            var got = [Float](repeating: .nan, count: tokens * columns), want = got
            try plainBytes.withUnsafeBytes { pb in
                let plain = try QuantMatrix(type: .q8_0, rows: columns, columns: rows, base: pb.baseAddress!, packing: .plain)
                MatMul.multiply(plain, x: dy, tokens: tokens, y: &want, pool: ThreadPool(threads: 1))
            }
            MatMul.multiply(t.matrix, x: dy, tokens: tokens, y: &got, pool: ThreadPool(threads: 2))
            #expect(got.map(\.bitPattern) == want.map(\.bitPattern))
        }
    }

    @Test func floatGEMMsMatchLoops() {
        var rng = SeededRandom(seed: 4)
        let m = 5, n = 19, k = 13
        let a = rng.floats(m * k), b = rng.floats(n * k), bk = rng.floats(k * n), at = rng.floats(k * m)
        var c = rng.floats(m * n), ref = c
        FloatGEMM.nt(m: m, n: n, k: k, alpha: 0.5, a: a, lda: k, b: b, ldb: k, beta: 1, c: &c, ldc: n)
        FloatGEMM.referenceNT(m: m, n: n, k: k, alpha: 0.5, a: a, lda: k, b: b, ldb: k, beta: 1, c: &ref, ldc: n)
        for i in 0..<c.count { #expect(abs(c[i] - ref[i]) < 1e-5) }
        // nn and tn against nt on explicit transposes.
        var bT = [Float](repeating: 0, count: n * k)
        for p in 0..<k { for j in 0..<n { bT[j * k + p] = bk[p * n + j] } }
        var aT = [Float](repeating: 0, count: m * k)
        for p in 0..<k { for i in 0..<m { aT[i * k + p] = at[p * m + i] } }
        var nn = [Float](repeating: 0, count: m * n), nnRef = nn
        FloatGEMM.nn(m: m, n: n, k: k, a: a, lda: k, b: bk, ldb: n, c: &nn, ldc: n)
        FloatGEMM.referenceNT(m: m, n: n, k: k, a: a, lda: k, b: bT, ldb: k, c: &nnRef, ldc: n)
        var tn = [Float](repeating: 0, count: m * n), tnRef = tn
        FloatGEMM.tn(m: m, n: n, k: k, a: at, lda: m, b: bk, ldb: n, c: &tn, ldc: n)
        FloatGEMM.referenceNT(m: m, n: n, k: k, a: aT, lda: k, b: bT, ldb: k, c: &tnRef, ldc: n)
        for i in 0..<nn.count {
            #expect(abs(nn[i] - nnRef[i]) < 1e-5)
            #expect(abs(tn[i] - tnRef[i]) < 1e-5)
        }
    }
}
