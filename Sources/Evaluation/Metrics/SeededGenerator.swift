import Foundation

/// SplitMix64 (Steele, Lea & Flood 2014; constants as in Vigna's reference C code).
///
/// Written out here instead of using `SystemRandomNumberGenerator` so that bootstrap
/// estimates are reproducible from a seed on every platform and Swift version.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform integer in `0..<bound` (0 when `bound <= 0`), by Lemire's multiply-shift with
    /// rejection. Implemented here rather than via `Int.random(in:using:)` because the standard
    /// library does not promise that its mapping from random bits to a range stays the same.
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
