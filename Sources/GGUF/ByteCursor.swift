/// A bounds-checked little-endian reader over untrusted bytes.
///
/// Every read checks the remaining length first, so a hostile count or length
/// becomes a ``GGUFError/truncated(offset:need:available:)`` instead of an
/// out-of-bounds read.
struct ByteCursor {
    let bytes: UnsafeRawBufferPointer
    var offset: Int

    init(_ bytes: UnsafeRawBufferPointer, offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    var remaining: Int { bytes.count - offset }

    mutating func require(_ n: Int) throws {
        guard n >= 0, n <= remaining else {
            throw GGUFError.truncated(offset: offset, need: n, available: max(remaining, 0))
        }
    }

    mutating func read<T: FixedWidthInteger>(_: T.Type = T.self) throws -> T {
        let size = MemoryLayout<T>.size
        try require(size)
        let value = bytes.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += size
        return T(littleEndian: value)
    }

    mutating func readFloat() throws -> Float { Float(bitPattern: try read(UInt32.self)) }
    mutating func readDouble() throws -> Double { Double(bitPattern: try read(UInt64.self)) }

    /// A u64-length-prefixed string. Invalid UTF-8 is repaired, not trusted.
    mutating func readString() throws -> String {
        let length = try read(UInt64.self)
        guard length <= UInt64(remaining) else {
            throw GGUFError.truncated(offset: offset, need: Int(clamping: length), available: remaining)
        }
        let n = Int(length)
        let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + n)])
        offset += n
        return String(decoding: slice, as: UTF8.self)
    }

    /// Reads `count` fixed-width elements at once.
    mutating func readArray<T: FixedWidthInteger>(_: T.Type, count: Int) throws -> [T] {
        let size = MemoryLayout<T>.size
        let (total, overflow) = count.multipliedReportingOverflow(by: size)
        guard !overflow else { throw GGUFError.countTooLarge(what: "array", count: UInt64(count)) }
        try require(total)
        guard count > 0, let base = bytes.baseAddress else { return [] }
        let start = offset
        offset += total
        return (0..<count).map { i in
            T(littleEndian: UnsafeRawPointer(base + start + i * size).loadUnaligned(as: T.self))
        }
    }
}
