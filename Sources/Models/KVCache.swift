import Kernels

/// Keys and values of every processed position, per layer, so each new token
/// attends to the past without recomputing it.
///
/// Layout per layer: `(capacity, kvDim)`, position-major, as F16 (the
/// llama.cpp-compatible numerics round K and V to fp16 anyway, as llama.cpp's
/// F16 cache does, so storing halves loses nothing) or F32 (`Numerics.exact`).
/// - Complexity: memory is `2 · layers · capacity · kvDim · (2 or 4)` bytes.
public final class KVCache: @unchecked Sendable {
    // @unchecked: a cache belongs to one sequence and is only touched by the
    // forward pass that owns it; workers write disjoint rows.
    public let capacity: Int
    public let layers: Int
    public let kvDim: Int
    /// F16 storage (else F32).
    public let halfPrecision: Bool
    /// Number of positions filled.
    public internal(set) var count: Int = 0
    let keys: [UnsafeMutableRawPointer]    // per layer (capacity, kvDim)
    let values: [UnsafeMutableRawPointer]  // per layer (capacity, kvDim)

    public init(layers: Int, capacity: Int, kvDim: Int, halfPrecision: Bool = false) {
        self.capacity = capacity
        self.layers = layers
        self.kvDim = kvDim
        self.halfPrecision = halfPrecision
        let bytes = max(capacity * kvDim, 1) * (halfPrecision ? 2 : 4)
        // Not zero-filled on purpose: rows are written before they are read
        // (positions < count), and untouched pages of a large allocation never
        // become resident, so memory grows with the conversation, not the context.
        keys = (0..<layers).map { _ in UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64) }
        values = (0..<layers).map { _ in UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64) }
    }

    deinit {
        keys.forEach { $0.deallocate() }
        values.forEach { $0.deallocate() }
    }

    /// Forgets positions at and after `position` (for regenerate / shared prefixes).
    public func truncate(to position: Int) {
        count = max(0, min(count, position))
    }

    public var bytes: Int { 2 * layers * capacity * kvDim * (halfPrecision ? 2 : 4) }

    /// Stores one position's key and value rows (kvDim floats each; for an F16
    /// cache they must already be fp16 values, so the conversion is exact).
    func store(layer: Int, position: Int, key: UnsafePointer<Float>, value: UnsafePointer<Float>) {
        let offset = position * kvDim
        if halfPrecision {
            VectorOps.toHalf(key, keys[layer].assumingMemoryBound(to: UInt16.self) + offset, count: kvDim)
            VectorOps.toHalf(value, values[layer].assumingMemoryBound(to: UInt16.self) + offset, count: kvDim)
        } else {
            (keys[layer].assumingMemoryBound(to: Float.self) + offset).update(from: key, count: kvDim)
            (values[layer].assumingMemoryBound(to: Float.self) + offset).update(from: value, count: kvDim)
        }
    }

    func floatKeys(_ layer: Int) -> UnsafeMutablePointer<Float> {
        precondition(!halfPrecision, "an F16 cache read as F32")
        return keys[layer].assumingMemoryBound(to: Float.self)
    }

    func floatValues(_ layer: Int) -> UnsafeMutablePointer<Float> {
        precondition(!halfPrecision, "an F16 cache read as F32")
        return values[layer].assumingMemoryBound(to: Float.self)
    }

    func halfKeys(_ layer: Int) -> UnsafeMutablePointer<UInt16> {
        precondition(halfPrecision, "an F32 cache read as F16")
        return keys[layer].assumingMemoryBound(to: UInt16.self)
    }

    func halfValues(_ layer: Int) -> UnsafeMutablePointer<UInt16> {
        precondition(halfPrecision, "an F32 cache read as F16")
        return values[layer].assumingMemoryBound(to: UInt16.self)
    }
}
