import CKernels
import Testing

/// Gemma's GELU (llama.cpp's fp16 table): the F16C form gives the scalar
/// form's bits (every non-NaN float was checked once in a C harness; here a
/// sweep across the table's range, both cut-offs, subnormals and overflow).
@Suite struct GeluFormsTests {
    @Test func f16cFormGivesTheScalarBits() {
        var rng = TestRNG(seed: 31)
        var x = rng.floats(4096, scale: 12)
        x += [-10, 10, -10.000001, 9.999999, 0, -0, 1e-8, -1e-8, 6e-8, 65504, 65520, 1e30, -1e30, .infinity, -.infinity]
        x += (0..<2000).map { Float($0 - 1000) / 97 }
        let up = rng.floats(x.count, scale: 3)
        var fast = x, scalar = x
        ck_gelu_tanh_mul(&fast, up, Int32(x.count))
        ck_gelu_tanh_mul_generic(&scalar, up, Int32(x.count))
        #expect(fast.map(\.bitPattern) == scalar.map(\.bitPattern))
        #expect(scalar[x.firstIndex(of: -10)!] == 0 && scalar[x.firstIndex(of: 10)!] == 10 * up[x.firstIndex(of: 10)!])
    }
}
