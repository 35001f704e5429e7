import Foundation

/// Rotary position embedding tables, computed exactly as ggml does
/// (`rope_cache_init`): θ starts at the position and is multiplied by
/// `base^(-2/n_rot)` pair by pair in Float, divided by the optional frequency
/// factor, then scaled by `freqScale`.
public struct RopeTable: Sendable {
    public let pairs: Int
    /// (tokens, pairs)
    var cos: [Float]
    var sin: [Float]

    public init<P: Collection<Int>>(positions: P, dimensions: Int, base: Float, freqScale: Float, factors: [Float]?) {
        pairs = dimensions / 2
        cos = [Float](repeating: 1, count: positions.count * pairs)
        sin = [Float](repeating: 0, count: positions.count * pairs)
        let thetaScale = powf(base, -2 / Float(dimensions))
        for (t, pos) in positions.enumerated() {
            var theta = Float(pos)
            for i in 0..<pairs {
                let ff = factors.map { $0[i] } ?? 1
                let angle = freqScale * (theta / ff)
                cos[t * pairs + i] = cosf(angle)
                sin[t * pairs + i] = sinf(angle)
                theta *= thetaScale
            }
        }
    }

    /// Rotates one head vector in place for token row `t`, as ggml's
    /// rotate_pairs compiles (GCC contracts it): x0·cos − x1·sin as
    /// fma(x0, cos, −(x1·sin)) and x0·sin + x1·cos as fma(x0, sin, x1·cos).
    public func apply(_ x: UnsafeMutablePointer<Float>, token t: Int, style: RopeStyle) {
        let c = t * pairs
        switch style {
        case .normal:
            for i in 0..<pairs {
                let x0 = x[2 * i], x1 = x[2 * i + 1]
                x[2 * i] = (-(x1 * sin[c + i])).addingProduct(x0, cos[c + i])
                x[2 * i + 1] = (x1 * cos[c + i]).addingProduct(x0, sin[c + i])
            }
        case .neox:
            for i in 0..<pairs {
                let x0 = x[i], x1 = x[i + pairs]
                x[i] = (-(x1 * sin[c + i])).addingProduct(x0, cos[c + i])
                x[i + pairs] = (x1 * cos[c + i]).addingProduct(x0, sin[c + i])
            }
        }
    }

    /// The transpose of `apply` (rotation by −θ): the backward pass of RoPE.
    public func applyInverse(_ x: UnsafeMutablePointer<Float>, token t: Int, style: RopeStyle) {
        let c = t * pairs
        switch style {
        case .normal:
            for i in 0..<pairs {
                let x0 = x[2 * i], x1 = x[2 * i + 1]
                x[2 * i] = x0 * cos[c + i] + x1 * sin[c + i]
                x[2 * i + 1] = x1 * cos[c + i] - x0 * sin[c + i]
            }
        case .neox:
            for i in 0..<pairs {
                let x0 = x[i], x1 = x[i + pairs]
                x[i] = x0 * cos[c + i] + x1 * sin[c + i]
                x[i + pairs] = x1 * cos[c + i] - x0 * sin[c + i]
            }
        }
    }
}
