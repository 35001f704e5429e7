import Kernels

/// Kernels' SplitMix64 with weight-like helpers, so every test sees the same data.
struct TestRNG {
    private var generator: SplitMix64
    init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    mutating func next() -> UInt64 { generator.next() }

    /// Uniform in [-1, 1).
    mutating func float() -> Float { Float(next() >> 40) / Float(1 << 23) - 1 }

    /// `count` values, roughly weight-like: uniform with a few outliers.
    mutating func floats(_ count: Int, scale: Float = 1) -> [Float] {
        (0..<count).map { i in
            let v = float() * scale
            return i % 97 == 13 ? v * 4 : v
        }
    }

    mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) } }
}
