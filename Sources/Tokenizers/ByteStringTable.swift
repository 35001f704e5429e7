/// An open-addressing hash table from byte strings to token ids.
///
/// Keys are compared as raw bytes on purpose: Swift `String` equality is
/// canonical equivalence, so two distinct vocabulary entries (e.g. precomposed
/// and decomposed "é") would collide in a `[String: Int32]`. All keys live in
/// one arena, so a 262k-token vocabulary costs a handful of allocations and
/// lookups of text slices allocate nothing.
struct ByteStringTable: Sendable {
    private(set) var arena: [UInt8] = []
    private(set) var offsets: [Int32] = [0]   // key i = arena[offsets[i] ..< offsets[i+1]]
    private var values: [Int32] = []
    /// 0 = empty, else (hash tag << 32 | key index + 1): the tag rejects most
    /// non-matching probes without touching the arena (a cache miss each).
    private var slots: [UInt64]
    private var mask: Int

    init(expectedCount: Int, expectedBytes: Int = 0) {
        var cap = 16
        while cap < expectedCount * 2 { cap <<= 1 }
        slots = [UInt64](repeating: 0, count: cap)
        mask = cap - 1
        arena.reserveCapacity(expectedBytes)
        offsets.reserveCapacity(expectedCount + 1)
        values.reserveCapacity(expectedCount)
    }

    var count: Int { values.count }

    @inline(__always) static func hash(_ p: UnsafeBufferPointer<UInt8>) -> Int {
        // FNV-1a, 64 bit: short keys, so simplicity beats a wide hash.
        var h: UInt64 = 0xcbf29ce484222325
        for b in p { h = (h ^ UInt64(b)) &* 0x100000001b3 }
        return Int(truncatingIfNeeded: h ^ (h >> 29))
    }

    @inline(__always) private func keyEquals(_ k: Int, _ p: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = Int(offsets[k]), end = Int(offsets[k + 1])
        if end - start != p.count { return false }
        return arena.withUnsafeBufferPointer { a in
            var i = 0
            while i < p.count {
                if a[start + i] != p[i] { return false }
                i += 1
            }
            return true
        }
    }

    /// Inserts or overwrites (llama.cpp's `token_to_id[word] = i`: the last duplicate wins).
    mutating func set(_ p: UnsafeBufferPointer<UInt8>, _ value: Int32) {
        if values.count * 2 >= slots.count { grow() }
        let h = Self.hash(p)
        let tag = UInt64(truncatingIfNeeded: h) >> 32
        var i = h & mask
        while true {
            let slot = slots[i]
            if slot == 0 {
                slots[i] = tag << 32 | UInt64(values.count + 1)
                arena.append(contentsOf: p)
                offsets.append(Int32(arena.count))
                values.append(value)
                return
            }
            let k = Int(slot & 0xFFFF_FFFF) - 1
            if slot >> 32 == tag && keyEquals(k, p) { values[k] = value; return }
            i = (i + 1) & mask
        }
    }

    mutating func set(_ bytes: [UInt8], _ value: Int32) {
        bytes.withUnsafeBufferPointer { set($0, value) }
    }

    @inline(__always) func get(_ p: UnsafeBufferPointer<UInt8>) -> Int32? {
        let h = Self.hash(p)
        let tag = UInt64(truncatingIfNeeded: h) >> 32
        var i = h & mask
        while true {
            let slot = slots[i]
            if slot == 0 { return nil }
            let k = Int(slot & 0xFFFF_FFFF) - 1
            if slot >> 32 == tag && keyEquals(k, p) { return values[k] }
            i = (i + 1) & mask
        }
    }

    func get(_ bytes: [UInt8]) -> Int32? {
        bytes.withUnsafeBufferPointer { get($0) }
    }

    private mutating func grow() {
        let cap = slots.count * 2
        var newSlots = [UInt64](repeating: 0, count: cap)
        let newMask = cap - 1
        for slot in slots where slot != 0 {
            let k = Int(slot & 0xFFFF_FFFF) - 1
            let start = Int(offsets[k]), end = Int(offsets[k + 1])
            let h = arena.withUnsafeBufferPointer { Self.hash(UnsafeBufferPointer(rebasing: $0[start..<end])) }
            var i = h & newMask
            while newSlots[i] != 0 { i = (i + 1) & newMask }
            newSlots[i] = slot
        }
        slots = newSlots
        mask = newMask
    }
}
