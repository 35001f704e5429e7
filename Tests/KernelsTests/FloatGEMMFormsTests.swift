import CKernels
import Kernels
import Testing

/// Training's F32 products in their forms (generic, AVX2, AVX-512). Each
/// output of nn and tn is one running sum over k in order, c = fma(alpha·a, b, c),
/// with the terms whose alpha·a is zero left out; nt keeps tdot's 8 lanes and
/// tree. So the AVX2 and AVX-512 forms (register tiles of different sizes)
/// must give the bits of a plain loop with fused multiply-adds, and each
/// other's, on shapes with partial tiles, strides and causal zeros.
@Suite struct FloatGEMMFormsTests {
    /// The per-output loop nn and tn promise (fma where the form has FMA).
    static func loop(transposedA: Bool, m: Int, n: Int, k: Int, alpha: Float, a: [Float], lda: Int, b: [Float], ldb: Int,
                     beta: Float, c: inout [Float], ldc: Int) {
        for i in 0..<m {
            for j in 0..<n {
                let c0 = c[i * ldc + j]
                var acc: Float = beta == 0 ? 0 : beta == 1 ? c0 : beta * c0
                for p in 0..<k {
                    let s = alpha * (transposedA ? a[p * lda + i] : a[i * lda + p])
                    if s == 0 { continue }
                    acc = acc.addingProduct(s, b[p * ldb + j])
                }
                c[i * ldc + j] = acc
            }
        }
    }

    @Test(arguments: [(8, 40, 19), (13, 37, 7), (33, 70, 45), (8, 64, 8), (17, 96, 30)])
    func formsKeepTheLoopBits(shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        var rng = TestRNG(seed: UInt64(m * 1000 + n * 10 + k))
        var ran = [false, false]
        for which in 0..<3 {
            for (alpha, beta) in [(Float(1), Float(0)), (1, 1), (0.7, 0.5)] {
                let transposedA = which == 2
                let lda = transposedA ? m + 3 : k + 1, ldb = which == 0 ? k + 2 : n + 5, ldc = n + 3
                var a = rng.floats((transposedA ? k : m) * lda + 8)
                // Causal zeros: output row i sees terms p <= i + 2 only.
                for i in 0..<m { for p in 0..<k where p > i + 2 { a[transposedA ? p * lda + i : i * lda + p] = 0 } }
                let b = rng.floats((which == 0 ? n : k) * ldb + 8)
                let c = rng.floats(m * ldc)
                var forms: [[Float]] = []
                for form in 1...2 {
                    var out = c
                    guard ck_sgemm_form(Int32(which), Int32(form), Int32(m), Int32(n), Int32(k), alpha, a, lda, b, ldb, beta,
                                        &out, ldc) == 0 else { continue }
                    ran[form - 1] = true
                    forms.append(out)
                    if which > 0 {
                        var want = c
                        Self.loop(transposedA: transposedA, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                                  beta: beta, c: &want, ldc: ldc)
                        #expect(out.map(\.bitPattern) == want.map(\.bitPattern), "which \(which) form \(form) \(shape)")
                    }
                }
                if forms.count == 2 {
                    #expect(forms[0].map(\.bitPattern) == forms[1].map(\.bitPattern), "AVX2 vs AVX-512, which \(which)")
                }
                // The generic form (no FMA) against a Double oracle.
                var generic = c
                #expect(ck_sgemm_form(Int32(which), 0, Int32(m), Int32(n), Int32(k), alpha, a, lda, b, ldb, beta, &generic, ldc) == 0)
                for i in 0..<m {
                    for j in 0..<n {
                        var s = 0.0
                        for p in 0..<k {
                            let av = which == 2 ? a[p * lda + i] : a[i * lda + p]
                            let bv = which == 0 ? b[j * ldb + p] : b[p * ldb + j]
                            s += Double(av) * Double(bv)
                        }
                        let c0 = Double(c[i * ldc + j])
                        let want = Double(beta) * c0 + Double(alpha) * s
                        #expect(abs(Double(generic[i * ldc + j]) - want) < 1e-4 * max(1, abs(want)))
                    }
                }
            }
        }
        if !ran[0] { print("skipped (AVX2 float GEMMs): this CPU lacks AVX2, or AQYL_KERNELS=generic") }
        if !ran[1] { print("skipped (AVX-512 float GEMMs): this CPU lacks AVX-512, or AQYL_KERNELS=avx2") }
    }

    @Test func largestMagnitudeSeesEveryValue() {
        var rng = TestRNG(seed: 9)
        for n in [0, 1, 7, 8, 9, 31, 100] {
            var x = rng.floats(n, scale: 0.5)   // |x| ≤ 2, outliers included
            if n > 0 { x[n - 1] = -3 }
            let want: Float = n == 0 ? 0 : 3
            #expect(VectorOps.largestMagnitude(x, count: n) == want, "n \(n)")
            if n > 2 {
                for bad in [Float.nan, .infinity, -.infinity] {
                    var y = x
                    y[n / 2] = bad
                    #expect(VectorOps.largestMagnitude(y, count: n) == nil, "n \(n) \(bad)")
                }
            }
        }
    }
}
