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

/// Training's vectorized gated activations against the formulas in Double:
/// SiLU and GELU-tanh forward, and their backward (dL/dg, dL/du), over
/// inputs from the far negative tail to saturation.
@Suite struct TrainingGatedActivationTests {
    static func reference(gelu: Bool, x: Double) -> (value: Double, derivative: Double) {
        if gelu {
            let c = 0.797_884_560_802_865_4
            let t = tanh(c * (x + 0.044715 * x * x * x))
            return (0.5 * x * (1 + t), 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x))
        }
        let s = 1 / (1 + exp(-x))
        return (x * s, s * (1 + x * (1 - s)))
    }

    @Test(arguments: [false, true])
    func matchesTheFormulas(gelu: Bool) {
        let xs: [Float] = stride(from: -30, through: 30, by: 0.037).map { Float($0) } + [0, -1e-6, 1e-6, 100, -100]
        let n = xs.count
        let us = (0..<n).map { Float(sin(Double($0))) }, dhs = (0..<n).map { Float(cos(Double($0) * 0.3)) }
        var h = [Float](repeating: 0, count: n)
        VectorOps.gatedForward(gelu: gelu, g: xs, u: us, out: &h, count: n)
        var g = xs, u = us
        VectorOps.gatedBackward(gelu: gelu, g: &g, u: &u, dh: dhs, count: n)
        for i in 0..<n {
            let r = Self.reference(gelu: gelu, x: Double(xs[i]))
            let wantH = r.value * Double(us[i]), wantG = Double(dhs[i]) * Double(us[i]) * r.derivative, wantU = Double(dhs[i]) * r.value
            #expect(abs(Double(h[i]) - wantH) <= 2e-6 * max(abs(wantH), 1e-3), "h at x \(xs[i])")
            #expect(abs(Double(g[i]) - wantG) <= 1e-4 * max(abs(wantG), 1e-2), "dg at x \(xs[i])")
            #expect(abs(Double(u[i]) - wantU) <= 2e-6 * max(abs(wantU), 1e-3), "du at x \(xs[i])")
        }
    }
}
