import Foundation
import Kernels
import Models

/// Backward rules of the decoder's small element-wise steps. Forward values
/// are recomputed from saved inputs where that is cheaper than storing them.
enum TrainingMath {
    /// 1/√(mean(x²) + eps) of one row.
    @inline(__always)
    static func inverseRMS(_ x: UnsafePointer<Float>, count n: Int, eps: Float) -> Float {
        var s: Float = 0
        for i in 0..<n { s += x[i] * x[i] }
        return 1 / (s / Float(n) + eps).squareRoot()
    }

    /// For y = x·r·w with r = 1/√(mean(x²)+eps): dx (+)= r·(w⊙dy) − x·(r³/n)·Σ x⊙w⊙dy.
    /// `accumulate` adds into dx instead of overwriting it. dx may alias dy when not accumulating.
    static func rmsNormBackward(x: UnsafePointer<Float>, weight w: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                                dx: UnsafeMutablePointer<Float>, count n: Int, eps: Float, accumulate: Bool) {
        let r = inverseRMS(x, count: n, eps: eps)
        var dot: Float = 0
        for i in 0..<n { dot += x[i] * w[i] * dy[i] }
        let k = r * r * r * dot / Float(n)
        if accumulate {
            for i in 0..<n { dx[i] += r * w[i] * dy[i] - x[i] * k }
        } else {
            for i in 0..<n { dx[i] = r * w[i] * dy[i] - x[i] * k }
        }
    }

    /// h = act(g)·u. Given dh, writes dg into `g` and du into `u` (both consumed).
    /// Vectorized in C (ck_gated_backward): the sigmoid through a bounded
    /// ggml-style exp, GELU-tanh written with σ(2z) = ½(1 + tanh z).
    static func gatedActivationBackward(_ activation: Activation, g: UnsafeMutablePointer<Float>, u: UnsafeMutablePointer<Float>,
                                        dh: UnsafePointer<Float>, count n: Int) {
        VectorOps.gatedBackward(gelu: activation == .geluTanh, g: g, u: u, dh: dh, count: n)
    }

    /// Exact (F32) gated activation, the forward twin of the backward above.
    static func gatedActivation(_ activation: Activation, g: UnsafePointer<Float>, u: UnsafePointer<Float>,
                                out: UnsafeMutablePointer<Float>, count n: Int) {
        VectorOps.gatedForward(gelu: activation == .geluTanh, g: g, u: u, out: out, count: n)
    }

    /// Cross-entropy of one logit row against `target`: returns −log p(target)
    /// and turns the row into its gradient scaled by `scale` (softmax − onehot).
    /// The softmax is the engine's vectorized one (max-subtracted, ggml's expf,
    /// the sum in double); a row of 262k logits is most of a step's element-wise work.
    static func crossEntropy(_ logits: UnsafeMutablePointer<Float>, count n: Int, target: Int, scale: Float) -> Double {
        VectorOps.softmax(logits, count: n)
        // p(target) below F32's range would mean a loss above 103 nats: capped there.
        let loss = -log(Double(max(logits[target], .leastNonzeroMagnitude)))
        VectorOps.scale(logits, by: scale, count: n)
        logits[target] -= scale
        return loss
    }
}
