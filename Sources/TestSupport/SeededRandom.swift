import Kernels

/// Test data generator: Kernels' SplitMix64, so test data is the same on every machine.
public typealias SeededRandom = SplitMix64

extension SplitMix64 {
    /// Uniform in [-scale, scale).
    public mutating func float(scale: Float = 1) -> Float {
        Float(next() >> 40) / Float(1 << 24) * 2 * scale - scale
    }

    public mutating func floats(_ n: Int, scale: Float = 1) -> [Float] {
        (0..<n).map { _ in float(scale: scale) }
    }
}
