import Foundation
import Kernels
import Testing

/// Elementwise ops against straightforward Swift; loose enough for libm
/// differences in exp/tanh.
let vectorOpTolerance: Float = 1e-5

@Suite struct VectorOpsTests {
    let x: [Float] = { var r = TestRNG(seed: 99); return r.floats(37, scale: 3) }()
    let w: [Float] = { var r = TestRNG(seed: 100); return r.floats(37) }()

    func close(_ a: [Float], _ b: [Float]) -> Bool {
        zip(a, b).allSatisfy { abs($0 - $1) <= vectorOpTolerance * max(1, abs($1)) }
    }

    @Test func rmsNorm() {
        var out = [Float](repeating: 0, count: x.count)
        VectorOps.rmsNorm(x, weight: w, eps: 1e-6, count: x.count, out: &out)
        let ms = x.reduce(0) { $0 + $1 * $1 } / Float(x.count)
        let expected = zip(x, w).map { $0 / (ms + 1e-6).squareRoot() * $1 }
        #expect(close(out, expected))
    }

    @Test func dotAxpyAddScale() {
        let d = VectorOps.dot(x, w, count: x.count)
        #expect(abs(d - zip(x, w).reduce(0) { $0 + $1.0 * $1.1 }) <= 1e-4)
        var y = w
        VectorOps.axpy(2, x, &y, count: x.count)
        #expect(close(y, zip(x, w).map { 2 * $0 + $1 }))
        y = w
        VectorOps.add(x, into: &y, count: x.count)
        #expect(close(y, zip(x, w).map { $0 + $1 }))
        y = x
        VectorOps.scale(&y, by: 0.5, count: x.count)
        #expect(close(y, x.map { $0 * 0.5 }))
    }

    @Test func softmax() {
        var y = x
        VectorOps.softmax(&y, count: y.count)
        let m = x.max() ?? 0
        let e: [Float] = x.map { expf($0 - m) }
        let s = e.reduce(0, +)
        #expect(close(y, e.map { $0 / s }))
    }

    @Test func activations() {
        var g = x
        VectorOps.siluMul(&g, w, count: g.count)
        var silu = [Float](repeating: 0, count: x.count)
        for i in 0..<x.count { silu[i] = x[i] / (1 + expf(-x[i])) * w[i] }
        #expect(close(g, silu))
        g = x
        VectorOps.geluTanhMul(&g, w, count: g.count)
        let k = Float(0.7978845608028654)
        var gelu = [Float](repeating: 0, count: x.count)
        for i in 0..<x.count {
            let v = x[i]
            let inner: Float = k * (v + 0.044715 * v * v * v)
            gelu[i] = 0.5 * v * (1 + tanhf(inner)) * w[i]
        }
        // geluTanhMul rounds its input and result through fp16 like ggml's
        // GELU table (GGML_GELU_FP16), so it is ~2^-11 relative off the formula.
        #expect(zip(g, gelu).allSatisfy { abs($0 - $1) <= 2e-3 * max(1, abs($1)) })
    }
}
