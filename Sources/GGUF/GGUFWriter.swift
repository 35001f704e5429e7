import Foundation

/// Builds a GGUF v3 file in memory: metadata in insertion order, then tensors
/// packed in order, each padded to the alignment (the layout llama.cpp's strict
/// reader requires).
///
/// ```swift
/// var w = GGUFWriter()
/// w.set("general.architecture", .string("llama"))
/// try w.addTensor(name: "token_embd.weight", type: .f32, dimensions: [8, 16], bytes: data)
/// try w.write(to: "tiny.gguf")
/// ```
public struct GGUFWriter: Sendable {
    public private(set) var metadata: [(key: String, value: GGUFValue)] = []
    public private(set) var tensors: [(name: String, type: GGMLType, dimensions: [Int], bytes: [UInt8])] = []
    public var alignment: Int = 32

    public init() {}

    /// Sets (or replaces) a metadata key, keeping first-insertion order.
    public mutating func set(_ key: String, _ value: GGUFValue) {
        if let i = metadata.firstIndex(where: { $0.key == key }) {
            metadata[i].value = value
        } else {
            metadata.append((key, value))
        }
        if key == "general.alignment", case let .uint32(a) = value { alignment = Int(a) }
    }

    /// Removes a metadata key (no-op when absent).
    public mutating func remove(_ key: String) {
        metadata.removeAll { $0.key == key }
    }

    /// Adds a tensor whose `bytes` are already encoded in `type`.
    public mutating func addTensor(name: String, type: GGMLType, dimensions: [Int], bytes: [UInt8]) throws {
        guard !name.isEmpty, name.utf8.count < 64 else { throw GGUFError.badTensorName(name) }
        guard !tensors.contains(where: { $0.name == name }) else { throw GGUFError.duplicateTensor(name) }
        guard (1...4).contains(dimensions.count) else {
            throw GGUFError.badDimensionCount(tensor: name, count: UInt32(dimensions.count))
        }
        guard let size = GGUFTensorInfo.byteCount(type: type, dimensions: dimensions) else {
            throw GGUFError.badRowLength(tensor: name, type: type, columns: dimensions[0])
        }
        guard size == bytes.count else {
            throw GGUFError.tensorOutOfBounds(tensor: name, offset: 0, size: bytes.count, dataSize: size)
        }
        tensors.append((name, type, dimensions, bytes))
    }

    /// Convenience for F32 tensors.
    public mutating func addTensor(name: String, dimensions: [Int], floats: [Float]) throws {
        var bytes = [UInt8]()
        bytes.reserveCapacity(floats.count * 4)
        for f in floats { withUnsafeBytes(of: f.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        try addTensor(name: name, type: .f32, dimensions: dimensions, bytes: bytes)
    }

    /// The encoded file.
    public func encode() throws -> [UInt8] {
        guard alignment > 0, alignment & (alignment - 1) == 0 else { throw GGUFError.badAlignment(UInt64(alignment)) }
        var out = ByteSink()
        out.u32(0x4655_4747)
        out.u32(3)
        out.u64(UInt64(tensors.count))
        out.u64(UInt64(metadata.count))
        for (key, value) in metadata {
            out.string(key)
            out.u32(value.type.rawValue)
            out.value(value)
        }
        var offset = 0
        var offsets: [Int] = []
        for t in tensors {
            offsets.append(offset)
            offset += Self.padded(t.bytes.count, alignment)
        }
        for (t, off) in zip(tensors, offsets) {
            out.string(t.name)
            out.u32(UInt32(t.dimensions.count))
            for d in t.dimensions { out.u64(UInt64(d)) }
            out.u32(t.type.rawValue)
            out.u64(UInt64(off))
        }
        out.pad(to: alignment)
        for t in tensors {
            out.bytes.append(contentsOf: t.bytes)
            out.pad(to: alignment)
        }
        return out.bytes
    }

    public func write(to path: String) throws {
        let data = Data(try encode())
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    static func padded(_ n: Int, _ a: Int) -> Int { (n + a - 1) / a * a }
}

/// Little-endian byte output for the writer.
struct ByteSink {
    var bytes: [UInt8] = []

    mutating func int<T: FixedWidthInteger>(_ v: T) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }
    mutating func u32(_ v: UInt32) { int(v) }
    mutating func u64(_ v: UInt64) { int(v) }
    mutating func string(_ s: String) {
        u64(UInt64(s.utf8.count))
        bytes.append(contentsOf: s.utf8)
    }
    mutating func pad(to alignment: Int) {
        let target = GGUFWriter.padded(bytes.count, alignment)
        bytes.append(contentsOf: repeatElement(0, count: target - bytes.count))
    }

    mutating func value(_ v: GGUFValue) {
        switch v {
        case let .uint8(x): int(x)
        case let .int8(x): int(x)
        case let .uint16(x): int(x)
        case let .int16(x): int(x)
        case let .uint32(x): int(x)
        case let .int32(x): int(x)
        case let .uint64(x): int(x)
        case let .int64(x): int(x)
        case let .float32(x): int(x.bitPattern)
        case let .float64(x): int(x.bitPattern)
        case let .bool(x): int(UInt8(x ? 1 : 0))
        case let .string(s): string(s)
        case let .array(a): array(a)
        }
    }

    mutating func array(_ a: GGUFArray) {
        u32(a.elementType.rawValue)
        u64(UInt64(a.count))
        switch a {
        case let .uint8(xs): xs.forEach { int($0) }
        case let .int8(xs): xs.forEach { int($0) }
        case let .uint16(xs): xs.forEach { int($0) }
        case let .int16(xs): xs.forEach { int($0) }
        case let .uint32(xs): xs.forEach { int($0) }
        case let .int32(xs): xs.forEach { int($0) }
        case let .uint64(xs): xs.forEach { int($0) }
        case let .int64(xs): xs.forEach { int($0) }
        case let .float32(xs): xs.forEach { int($0.bitPattern) }
        case let .float64(xs): xs.forEach { int($0.bitPattern) }
        case let .bool(xs): xs.forEach { int(UInt8($0 ? 1 : 0)) }
        case let .string(xs): xs.forEach { string($0) }
        case let .array(xs): xs.forEach { array($0) }
        }
    }
}
