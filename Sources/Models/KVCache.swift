/// Keys and values of every processed position, per layer, so each new token
/// attends to the past without recomputing it.
///
/// Layout per layer: `(capacity, kvDim)` F32, position-major.
/// - Complexity: memory is `2 · layers · capacity · kvDim · 4` bytes.
public final class KVCache: @unchecked Sendable {
    // @unchecked: a cache belongs to one sequence and is only touched by the
    // forward pass that owns it; workers write disjoint rows.
    public let capacity: Int
    public let layers: Int
    public let kvDim: Int
    /// Number of positions filled.
    public internal(set) var count: Int = 0
    let keys: [UnsafeMutablePointer<Float>]    // per layer (capacity, kvDim)
    let values: [UnsafeMutablePointer<Float>]  // per layer (capacity, kvDim)

    public init(layers: Int, capacity: Int, kvDim: Int) {
        self.capacity = capacity
        self.layers = layers
        self.kvDim = kvDim
        // Not zero-filled on purpose: rows are written before they are read
        // (positions < count), and untouched pages of a large allocation never
        // become resident, so memory grows with the conversation, not the context.
        keys = (0..<layers).map { _ in UnsafeMutablePointer<Float>.allocate(capacity: max(capacity * kvDim, 1)) }
        values = (0..<layers).map { _ in UnsafeMutablePointer<Float>.allocate(capacity: max(capacity * kvDim, 1)) }
    }

    deinit {
        keys.forEach { $0.deallocate() }
        values.forEach { $0.deallocate() }
    }

    /// Forgets positions at and after `position` (for regenerate / shared prefixes).
    public func truncate(to position: Int) {
        count = max(0, min(count, position))
    }

    public var bytes: Int { 2 * layers * capacity * kvDim * MemoryLayout<Float>.size }
}
