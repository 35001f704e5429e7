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
    /// Where a tensor's bytes come from: owned by the writer, or a tensor of an open file
    /// (which the writer keeps alive) followed by owned bytes — so rewriting a multi-GB model
    /// with a few rows appended streams it instead of holding copies of it in memory.
    public enum TensorBytes: Sendable {
        case owned([UInt8])
        /// F32 values, shared with the caller's array (no byte copy; GGUF is little-endian, as is every host we build for).
        case floats([Float])
        case file(GGUFFile, GGUFTensorInfo, appending: [UInt8])

        public var count: Int {
            switch self {
            case let .owned(b): return b.count
            case let .floats(f): return f.count * 4
            case let .file(_, t, tail): return t.byteCount + tail.count
            }
        }

        /// Calls `body` with consecutive pieces of the bytes.
        func forEachPiece(_ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
            switch self {
            case let .owned(b): try b.withUnsafeBytes(body)
            case let .floats(f): try f.withUnsafeBytes(body)
            case let .file(f, t, tail):
                try body(f.tensorData(t))
                try tail.withUnsafeBytes(body)
            }
        }
    }

    public private(set) var metadata: [(key: String, value: GGUFValue)] = []
    public private(set) var tensors: [(name: String, type: GGMLType, dimensions: [Int], bytes: TensorBytes)] = []
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
        try addTensor(name: name, type: type, dimensions: dimensions, source: .owned(bytes))
    }

    /// Adds a tensor of `file` as it is, followed by `appending` (more rows in its type):
    /// nothing is copied until the writer writes.
    public mutating func addTensor(name: String, type: GGMLType, dimensions: [Int], from file: GGUFFile, tensor: GGUFTensorInfo,
                                   appending: [UInt8] = []) throws {
        try addTensor(name: name, type: type, dimensions: dimensions, source: .file(file, tensor, appending: appending))
    }

    private mutating func addTensor(name: String, type: GGMLType, dimensions: [Int], source bytes: TensorBytes) throws {
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

    /// Convenience for F32 tensors: the array is kept as it is (copy-on-write
    /// shares it with the caller), so a large tensor costs no second copy.
    public mutating func addTensor(name: String, dimensions: [Int], floats: [Float]) throws {
        #if _endian(big)
        var bytes = [UInt8]()
        bytes.reserveCapacity(floats.count * 4)
        for f in floats { withUnsafeBytes(of: f.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        try addTensor(name: name, type: .f32, dimensions: dimensions, bytes: bytes)
        #else
        try addTensor(name: name, type: .f32, dimensions: dimensions, source: .floats(floats))
        #endif
    }

    /// The encoded file.
    public func encode() throws -> [UInt8] {
        var out = ByteSink()
        out.bytes = try encodeHeader()
        for t in tensors {
            t.bytes.forEachPiece { out.bytes.append(contentsOf: $0) }
            out.pad(to: alignment)
        }
        return out.bytes
    }

    /// The header: everything before the first tensor's bytes, padded to the alignment.
    func encodeHeader() throws -> [UInt8] {
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
        for t in tensors {
            out.string(t.name)
            out.u32(UInt32(t.dimensions.count))
            for d in t.dimensions { out.u64(UInt64(d)) }
            out.u32(t.type.rawValue)
            out.u64(UInt64(offset))
            offset += Self.padded(t.bytes.count, alignment)
        }
        out.pad(to: alignment)
        return out.bytes
    }

    /// Writes the file: streamed tensor by tensor into a temporary file beside `path`, which
    /// then replaces `path` (a reader never sees half a file, and a model of many GB never
    /// has to fit in memory).
    public func write(to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(UInt32.random(in: 0...UInt32.max)).tmp")
        func failure(_ e: Int32) -> GGUFError { .cannotWrite(path: path, reason: String(cString: strerror(e))) }
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else { throw failure(errno) }
        var done = false
        defer { if !done { try? FileManager.default.removeItem(at: temporary) } }
        let handle = try FileHandle(forWritingTo: temporary)
        var written = 0
        func put(_ p: UnsafeRawBufferPointer) throws {
            // Pieces of at most 64 MB: Data copies what it is given.
            var start = 0
            while start < p.count {
                let n = min(64 << 20, p.count - start)
                try handle.write(contentsOf: Data(bytes: p.baseAddress! + start, count: n))
                start += n
            }
            written += p.count
        }
        do {
            try encodeHeader().withUnsafeBytes(put)
            let zeros = [UInt8](repeating: 0, count: alignment)
            for t in tensors {
                try t.bytes.forEachPiece(put)
                let pad = Self.padded(written, alignment) - written
                if pad > 0 { try zeros.withUnsafeBytes { try put(UnsafeRawBufferPointer(rebasing: $0[0..<pad])) } }
            }
            try handle.synchronize()
            try handle.close()
        } catch {
            try? handle.close()
            throw GGUFError.cannotWrite(path: path, reason: "\(error)")
        }
        // rename(2) replaces an existing file atomically (Foundation's replaceItemAt does not
        // work on Linux).
        guard rename(temporary.path, path) == 0 else { throw failure(errno) }
        done = true
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
