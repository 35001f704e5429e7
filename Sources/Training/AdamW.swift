import Foundation

/// Decoupled AdamW (Loshchilov & Hutter), the update ggml's optimizer and
/// PyTorch use: m = β1·m + (1−β1)·g, v = β2·v + (1−β2)·g²,
/// w = w·(1 − lr·wd) − lr·m̂ / (√v̂ + ε) with bias-corrected m̂, v̂.
public struct AdamW: Sendable, Codable, Equatable {
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var epsilon: Float = 1e-8
    public var weightDecay: Float = 0
    /// Gradients are clipped to this global L2 norm first (0 = off).
    public var clipNorm: Float = 1

    public init(weightDecay: Float = 0, clipNorm: Float = 1) {
        self.weightDecay = weightDecay
        self.clipNorm = clipNorm
    }

    /// One step (`step` counts from 1). Returns the gradient norm before clipping.
    @discardableResult
    public func step(_ p: TrainableLoRA, learningRate lr: Float, step: Int) -> Float {
        let n = p.count
        let g = p.gradients, w = p.values, m = p.firstMoment, v = p.secondMoment
        var sq: Double = 0
        for i in 0..<n { sq += Double(g[i]) * Double(g[i]) }
        let norm = Float(sq.squareRoot())
        let clip: Float = clipNorm > 0 && norm > clipNorm ? clipNorm / norm : 1
        let c1 = 1 / (1 - powf(beta1, Float(step)))
        let c2 = 1 / (1 - powf(beta2, Float(step)))
        let decay = 1 - lr * weightDecay
        for i in 0..<n {
            let gi = g[i] * clip
            m[i] = beta1 * m[i] + (1 - beta1) * gi
            v[i] = beta2 * v[i] + (1 - beta2) * gi * gi
            w[i] = w[i] * decay - lr * (m[i] * c1) / ((v[i] * c2).squareRoot() + epsilon)
        }
        return norm
    }
}

/// Learning rate over the run: linear warmup, then the chosen decay.
public enum LearningRateSchedule: String, Sendable, Codable, CaseIterable {
    case cosine, linear, constant

    /// Rate at `step` (1-based) of `total`, peaking at `peak` after `warmup` steps.
    public func rate(step: Int, total: Int, warmup: Int, peak: Float) -> Float {
        if warmup > 0 && step <= warmup { return peak * Float(step) / Float(warmup) }
        let span = max(1, total - warmup)
        let progress = min(1, max(0, Float(step - warmup - 1) / Float(span)))
        switch self {
        case .constant: return peak
        case .linear: return peak * (1 - progress)
        case .cosine: return peak * 0.5 * (1 + cosf(Float.pi * progress))
        }
    }
}
