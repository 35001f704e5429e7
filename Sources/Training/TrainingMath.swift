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
    static func gatedActivationBackward(_ activation: Activation, g: UnsafeMutablePointer<Float>, u: UnsafeMutablePointer<Float>,
                                        dh: UnsafePointer<Float>, count n: Int) {
        switch activation {
        case .silu:
            for i in 0..<n {
                let x = g[i]
                let s = 1 / (1 + expf(-x))
                let a = x * s
                let dgi = dh[i] * u[i] * s * (1 + x * (1 - s))
                u[i] = dh[i] * a
                g[i] = dgi
            }
        case .geluTanh:
            let c: Float = 0.797_884_56  // √(2/π)
            for i in 0..<n {
                let x = g[i]
                let z = c * (x + 0.044715 * x * x * x)
                let t = tanhf(z)
                let a = 0.5 * x * (1 + t)
                let da = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x)
                let dgi = dh[i] * u[i] * da
                u[i] = dh[i] * a
                g[i] = dgi
            }
        }
    }

    /// Exact (F32) gated activation, the forward twin of the backward above.
    static func gatedActivation(_ activation: Activation, g: UnsafePointer<Float>, u: UnsafePointer<Float>,
                                out: UnsafeMutablePointer<Float>, count n: Int) {
        switch activation {
        case .silu:
            for i in 0..<n { let x = g[i]; out[i] = x / (1 + expf(-x)) * u[i] }
        case .geluTanh:
            let c: Float = 0.797_884_56
            for i in 0..<n {
                let x = g[i]
                out[i] = 0.5 * x * (1 + tanhf(c * (x + 0.044715 * x * x * x))) * u[i]
            }
        }
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
