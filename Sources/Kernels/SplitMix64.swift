/// SplitMix64 (Steele, Lea & Flood 2014; Vigna's reference constants): small,
/// fast and the same on every machine and Swift version, so a seed fixes a
/// training run, a bootstrap estimate or a test's data. The one copy every
/// module uses (`Engine`'s sampler seeds its xoshiro state with the same steps).
public struct SplitMix64: RandomNumberGenerator, Sendable, Codable {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [lo, hi) from the top 24 bits.
    public mutating func uniform(_ lo: Float, _ hi: Float) -> Float {
        lo + (hi - lo) * Float(next() >> 40) / Float(1 << 24)
    }

    /// Uniform integer in `0..<bound` (0 when `bound <= 0`), by Lemire's multiply-shift with
    /// rejection: the standard library does not promise that `Int.random(in:using:)` keeps
    /// its mapping from bits to a range, and a bootstrap must replay from its seed.
    public mutating func nextIndex(below bound: Int) -> Int {
        guard bound > 0 else { return 0 }
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            // 2^64 mod range: values whose low half falls below it would make the result biased.
            let threshold = (0 &- range) % range
            while product.low < threshold {
                product = next().multipliedFullWidth(by: range)
            }
        }
        return Int(product.high)
    }
}
