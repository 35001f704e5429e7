/// SplitMix64: a tiny deterministic generator so every test sees the same data.
struct TestRNG {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

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
