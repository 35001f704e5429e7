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
