/// Deterministic 64-bit hashing (Swift's `Hasher` is seeded per process, so it cannot be used
/// for anything that must repeat across runs): FNV-1a over bytes, then the SplitMix64 finalizer.
public enum StableHash {
    public static let fnvOffset: UInt64 = 0xcbf2_9ce4_8422_2325
    public static let fnvPrime: UInt64 = 0x0000_0100_0000_01b3

    /// FNV-1a over `bytes`, starting from `seed`.
    @inline(__always)
    public static func fnv1a<S: Sequence>(_ bytes: S, seed: UInt64 = fnvOffset) -> UInt64 where S.Element == UInt8 {
        var h = seed
        for b in bytes {
            h ^= UInt64(b)
            h = h &* fnvPrime
        }
        return h
    }

    /// The SplitMix64 finalizer: a bijection on 64 bits with full avalanche.
    @inline(__always)
    public static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// A well-mixed 64-bit hash of a string's UTF-8 bytes.
    public static func hash(_ text: String, seed: UInt64 = 0) -> UInt64 {
        mix(fnv1a(text.utf8, seed: fnvOffset ^ mix(seed)))
    }
}
