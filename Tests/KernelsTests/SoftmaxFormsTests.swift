import CKernels
import Testing

/// llama.cpp's softmax in its three forms (scalar reference, AVX2, AVX-512):
/// the same bits for every row length (16-blocks, an 8-block tail, a scalar
/// tail), masked entries, and spreads wide enough to take ggml_v_expf's
/// out-of-range branches.
@Suite struct SoftmaxFormsTests {
    @Test(arguments: [3, 30, 300])
    func formsGiveTheScalarBits(spread: Float) {
        var rng = TestRNG(seed: UInt64(spread))
        var avx512Ran = false, avx2Ran = false
        for n in Array(1...40) + [63, 64, 65, 200, 2304, 2311] {
            var x = rng.floats(n, scale: spread)
            for i in stride(from: max(1, n / 3), to: n, by: 7) { x[i] = -.infinity }   // never the whole row
            var scalar = x, avx2 = x, avx512 = x
            ck_softmax_generic(&scalar, Int32(n))
            if ck_softmax_avx2(&avx2, Int32(n)) == 0 {
                avx2Ran = true
                #expect(avx2.map(\.bitPattern) == scalar.map(\.bitPattern), "AVX2, n \(n)")
            }
            if ck_softmax_avx512(&avx512, Int32(n)) == 0 {
                avx512Ran = true
                #expect(avx512.map(\.bitPattern) == scalar.map(\.bitPattern), "AVX-512, n \(n)")
            }
            #expect(abs(scalar.reduce(0, +) - 1) < 1e-3, "n \(n) sums to 1")
        }
        if !avx2Ran { print("skipped (AVX2 softmax): this CPU lacks AVX2, or AQYL_KERNELS=generic") }
        if !avx512Ran { print("skipped (AVX-512 softmax): this CPU lacks AVX-512, or AQYL_KERNELS=avx2") }
    }
}
