#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A parsed GGUF file (v2 or v3) whose tensor data stays memory-mapped.
///
/// The header is parsed eagerly and completely bounds-checked; tensor data is
/// never copied: ``tensorData(_:)`` returns a view into the mapping, valid as
/// long as this object lives.
///
/// ```swift
/// let file = try GGUFFile(path: "model.gguf")
/// let arch = try file.string("general.architecture")
/// ```
public final class GGUFFile: @unchecked Sendable {
    // @unchecked: every stored property is immutable after init and the mapped
    // memory is read-only.
    public let version: UInt32
    /// Metadata in file order.
    public let metadataKeys: [String]
    public let metadata: [String: GGUFValue]
    public let tensors: [GGUFTensorInfo]
    public let alignment: Int
    /// Byte offset of the data section within the (first) file.
    public let dataOffset: Int
    /// Bytes of the file, or of all parts together for a split model.
    public let fileSize: Int
    public let path: String?
    /// The files of a split model in order (`path` first); just `path` otherwise.
    public let partPaths: [String]

    /// One mapping per part; `dataOffsets[i]` is part i's data section start.
    private let storages: [Storage]
    private let dataOffsets: [Int]
    private let tensorIndex: [String: Int]

    /// Maps and parses the file at `path`. The first part of a split model
    /// (`NAME-00001-of-0000N.gguf`, `split.count` > 1) opens all N parts, as llama.cpp
    /// does: metadata from the first, tensors from all of them.
    public convenience init(path: String) throws {
        let first = try GGUFFile(storage: try Storage(mappingFile: path), path: path)
        guard let count = first.metadata["split.count"]?.int, count > 1 else {
            if let count = first.metadata["split.count"]?.int, count < 0 {
                throw GGUFError.badSplit(path: path, reason: "split.count \(count)")
            }
            try self.init(merging: [first], path: path)
            return
        }
        let paths = try Self.splitPaths(first: path, file: first, count: count)
        var parts = [first]
        for (i, partPath) in paths.enumerated().dropFirst() {
            guard access(partPath, F_OK) == 0 else {
                throw GGUFError.badSplit(path: path, reason: "part \(i + 1) of \(count) is missing: \(partPath)")
            }
            let part = try GGUFFile(storage: try Storage(mappingFile: partPath), path: partPath)
            guard part.metadata["split.no"]?.int == i, part.metadata["split.count"]?.int == count else {
                throw GGUFError.badSplit(path: path, reason: "\(partPath) does not say it is part \(i + 1) of \(count)")
            }
            parts.append(part)
        }
        let total = parts.reduce(0) { $0 + $1.tensors.count }
        if let declared = first.metadata["split.tensors.count"]?.int, declared != total {
            throw GGUFError.badSplit(path: path, reason: "split.tensors.count is \(declared) but the parts hold \(total) tensors")
        }
        try self.init(merging: parts, path: path)
    }

    /// The N file names of a split model whose first part is `path`.
    private static func splitPaths(first path: String, file: GGUFFile, count: Int) throws -> [String] {
        guard count <= 9_999 else { throw GGUFError.badSplit(path: path, reason: "split.count \(count) is too large") }
        guard file.metadata["split.no"]?.int == 0 else {
            throw GGUFError.badSplit(path: path, reason: "this is part \((file.metadata["split.no"]?.int ?? -1) + 1) of \(count); open the first part (-00001-of-…)")
        }
        let suffix = splitSuffix(1, of: count)
        guard path.hasSuffix(suffix) else {
            throw GGUFError.badSplit(path: path, reason: "a first part must be named PREFIX\(suffix)")
        }
        let prefix = String(path.dropLast(suffix.utf8.count))
        return (1...count).map { prefix + splitSuffix($0, of: count) }
    }

    /// llama.cpp's split file suffix: `-%05d-of-%05d.gguf`.
    public static func splitSuffix(_ number: Int, of count: Int) -> String {
        func five(_ n: Int) -> String { let d = String(n); return String(repeating: "0", count: max(0, 5 - d.count)) + d }
        return "-\(five(number))-of-\(five(count)).gguf"
    }

    /// Parses an in-memory copy of `bytes` (used by tests and fuzzing).
    public convenience init(bytes: [UInt8]) throws {
        try self.init(storage: Storage(copying: bytes), path: nil)
    }

    /// One file's mapping: the parts of a split model are checked alone, then merged.
    private init(storage: Storage, path: String?) throws {
        storages = [storage]
        self.path = path
        partPaths = path.map { [$0] } ?? []
        let bytes = storage.buffer
        fileSize = bytes.count
        var cursor = ByteCursor(bytes)

        let magic = try cursor.read(UInt32.self)
        guard magic == 0x4655_4747 else { throw GGUFError.badMagic(magic) }
        version = try cursor.read(UInt32.self)
        guard version == 2 || version == 3 else { throw GGUFError.unsupportedVersion(version) }
        let tensorCount = try cursor.read(UInt64.self)
        let kvCount = try cursor.read(UInt64.self)
        // Each kv needs at least 8 (key length) + 4 (type) bytes; each tensor info at least 8+4+4+8.
        guard kvCount <= UInt64(cursor.remaining / 12) else { throw GGUFError.countTooLarge(what: "metadata", count: kvCount) }
        guard tensorCount <= UInt64(cursor.remaining / 24) else { throw GGUFError.countTooLarge(what: "tensor", count: tensorCount) }

        var keys: [String] = []
        var values: [String: GGUFValue] = [:]
        keys.reserveCapacity(Int(kvCount))
        for _ in 0..<Int(kvCount) {
            let key = try cursor.readString()
            let rawType = try cursor.read(UInt32.self)
            let value = try Self.readValue(&cursor, rawType: rawType, key: key, depth: 0)
            guard values[key] == nil else { throw GGUFError.duplicateKey(key) }
            keys.append(key)
            values[key] = value
        }
        metadataKeys = keys
        metadata = values

        var alignment = 32
        if let a = values["general.alignment"] {
            guard case let .uint32(v) = a, v > 0, v & (v - 1) == 0 else {
                throw GGUFError.badAlignment(UInt64(clamping: a.int ?? 0))
            }
            alignment = Int(v)
        }
        self.alignment = alignment

        struct RawInfo { let name: String; let dims: [Int]; let type: GGMLType; let offset: UInt64 }
        var raw: [RawInfo] = []
        var seen: Set<String> = []
        for _ in 0..<Int(tensorCount) {
            let name = try cursor.readString()
            guard !name.isEmpty, name.utf8.count < 64 else { throw GGUFError.badTensorName(name) }
            guard seen.insert(name).inserted else { throw GGUFError.duplicateTensor(name) }
            let nDims = try cursor.read(UInt32.self)
            guard nDims >= 1, nDims <= 4 else { throw GGUFError.badDimensionCount(tensor: name, count: nDims) }
            var dims: [Int] = []
            for _ in 0..<Int(nDims) {
                let d = try cursor.read(Int64.self)
                guard d >= 0, d < Int64(1) << 48 else { throw GGUFError.badDimension(tensor: name, value: d) }
                dims.append(Int(d))
            }
            let rawType = try cursor.read(UInt32.self)
            guard let type = GGMLType(rawValue: rawType) else {
                throw GGUFError.unsupportedTensorType(tensor: name, type: rawType)
            }
            // Every product of the dimensions (rows, elements) must fit an Int, even when a zero
            // dimension makes the byte size 0 (found by fuzzing: [0, 2^47, 2^47] trapped in `rows`).
            var product = 1
            for d in dims.dropFirst() + [dims[0]] {
                let (p, overflow) = product.multipliedReportingOverflow(by: max(d, 1))
                guard !overflow else { throw GGUFError.tensorTooLarge(tensor: name) }
                product = p
            }
            guard dims[0] % type.blockSize == 0 else {
                throw GGUFError.badRowLength(tensor: name, type: type, columns: dims[0])
            }
            let offset = try cursor.read(UInt64.self)
            raw.append(RawInfo(name: name, dims: dims, type: type, offset: offset))
        }

        let (padded, overflow) = cursor.offset.addingReportingOverflow(alignment - 1)
        guard !overflow else { throw GGUFError.truncated(offset: cursor.offset, need: alignment, available: cursor.remaining) }
        let dataStart = padded / alignment * alignment
        // A file with tensors must contain its data section; a metadata-only file may end at the header.
        guard dataStart <= bytes.count || raw.isEmpty else {
            throw GGUFError.truncated(offset: cursor.offset, need: dataStart - cursor.offset, available: cursor.remaining)
        }
        dataOffset = dataStart
        dataOffsets = [dataStart]
        let dataSize = max(bytes.count - dataStart, 0)

        var infos: [GGUFTensorInfo] = []
        var index: [String: Int] = [:]
        for r in raw {
            guard let size = GGUFTensorInfo.byteCount(type: r.type, dimensions: r.dims) else {
                throw GGUFError.tensorTooLarge(tensor: r.name)
            }
            guard r.offset % UInt64(alignment) == 0 else {
                throw GGUFError.misalignedTensor(tensor: r.name, offset: r.offset, alignment: alignment)
            }
            guard r.offset <= UInt64(dataSize), UInt64(size) <= UInt64(dataSize) - r.offset else {
                throw GGUFError.tensorOutOfBounds(tensor: r.name, offset: r.offset, size: size, dataSize: dataSize)
            }
            index[r.name] = infos.count
            infos.append(GGUFTensorInfo(name: r.name, dimensions: r.dims, type: r.type, offset: Int(r.offset), byteCount: size))
        }
        tensors = infos
        tensorIndex = index
    }

    /// All parts' tensors under the first part's header; names must be unique across parts.
    private init(merging parts: [GGUFFile], path: String?) throws {
        let first = parts[0]
        version = first.version
        metadataKeys = first.metadataKeys
        metadata = first.metadata
        alignment = first.alignment
        dataOffset = first.dataOffset
        self.path = path
        partPaths = parts.compactMap(\.path)
        storages = parts.flatMap(\.storages)
        dataOffsets = parts.flatMap(\.dataOffsets)
        fileSize = parts.reduce(0) { $0 + $1.fileSize }
        var infos: [GGUFTensorInfo] = []
        var index: [String: Int] = [:]
        for (p, part) in parts.enumerated() {
            for t in part.tensors {
                guard index[t.name] == nil else { throw GGUFError.duplicateTensor(t.name) }
                index[t.name] = infos.count
                infos.append(p == 0 ? t : t.inPart(p))
            }
        }
        tensors = infos
        tensorIndex = index
    }

    private static func readValue(_ c: inout ByteCursor, rawType: UInt32, key: String, depth: Int) throws -> GGUFValue {
        guard let type = GGUFValueType(rawValue: rawType) else { throw GGUFError.badValueType(key: key, type: rawType) }
        switch type {
        case .uint8: return .uint8(try c.read())
        case .int8: return .int8(try c.read())
        case .uint16: return .uint16(try c.read())
        case .int16: return .int16(try c.read())
        case .uint32: return .uint32(try c.read())
        case .int32: return .int32(try c.read())
        case .uint64: return .uint64(try c.read())
        case .int64: return .int64(try c.read())
        case .float32: return .float32(try c.readFloat())
        case .float64: return .float64(try c.readDouble())
        case .bool:
            let b: UInt8 = try c.read()
            guard b <= 1 else { throw GGUFError.badBool(key: key, value: b) }
            return .bool(b == 1)
        case .string: return .string(try c.readString())
        case .array: return .array(try readArray(&c, key: key, depth: depth))
        }
    }

    private static func readArray(_ c: inout ByteCursor, key: String, depth: Int) throws -> GGUFArray {
        guard depth < 4 else { throw GGUFError.nestingTooDeep(key: key) }
        let rawType = try c.read(UInt32.self)
        guard let type = GGUFValueType(rawValue: rawType) else { throw GGUFError.badValueType(key: key, type: rawType) }
        let count64 = try c.read(UInt64.self)
        // Every element takes at least one byte (strings at least eight), so a
        // count larger than the remaining bytes is a lie; reject before allocating.
        let minElement: UInt64 = (type == .string || type == .array) ? 8 : 1
        guard count64 <= UInt64(c.remaining) / minElement else {
            throw GGUFError.countTooLarge(what: "array '\(key)'", count: count64)
        }
        let n = Int(count64)
        switch type {
        case .uint8: return .uint8(try c.readArray(UInt8.self, count: n))
        case .int8: return .int8(try c.readArray(Int8.self, count: n))
        case .uint16: return .uint16(try c.readArray(UInt16.self, count: n))
        case .int16: return .int16(try c.readArray(Int16.self, count: n))
        case .uint32: return .uint32(try c.readArray(UInt32.self, count: n))
        case .int32: return .int32(try c.readArray(Int32.self, count: n))
        case .uint64: return .uint64(try c.readArray(UInt64.self, count: n))
        case .int64: return .int64(try c.readArray(Int64.self, count: n))
        case .float32: return .float32(try c.readArray(UInt32.self, count: n).map(Float.init(bitPattern:)))
        case .float64: return .float64(try c.readArray(UInt64.self, count: n).map(Double.init(bitPattern:)))
        case .bool:
            let raw = try c.readArray(UInt8.self, count: n)
            if let bad = raw.first(where: { $0 > 1 }) { throw GGUFError.badBool(key: key, value: bad) }
            return .bool(raw.map { $0 == 1 })
        case .string:
            var out: [String] = []
            out.reserveCapacity(n)
            for _ in 0..<n { out.append(try c.readString()) }
            return .string(out)
        case .array:
            var out: [GGUFArray] = []
            for _ in 0..<n { out.append(try readArray(&c, key: key, depth: depth + 1)) }
            return .array(out)
        }
    }

    // MARK: - Lookup

    public func tensor(named name: String) -> GGUFTensorInfo? {
        tensorIndex[name].map { tensors[$0] }
    }

    /// Zero-copy view of a tensor's bytes; valid while `self` is alive.
    public func tensorData(_ info: GGUFTensorInfo) -> UnsafeRawBufferPointer {
        let base = dataOffsets[info.part]
        return UnsafeRawBufferPointer(rebasing: storages[info.part].buffer[(base + info.offset)..<(base + info.offset + info.byteCount)])
    }

    /// Tells the kernel this process no longer needs the resident pages of
    /// `count` bytes of tensor data at `start` (the whole pages inside them), so
    /// they stop counting in its resident memory: used after tensor bytes were
    /// copied into another layout. The mapping stays valid: a later read faults
    /// the bytes back in from the file. No-op for in-memory copies (whose bytes
    /// exist only once) and for ranges outside this file's tensor data.
    public func releaseResidentPages(start: UnsafeRawPointer, count: Int) {
        for (storage, dataStart) in zip(storages, dataOffsets) {
            guard let base = storage.buffer.baseAddress, start >= base else { continue }
            let offset = start - base
            guard offset >= dataStart, count >= 0, offset <= storage.buffer.count - count else { continue }
            storage.releaseResidentPages(offset: offset, count: count)
            return
        }
    }

    public func string(_ key: String) throws -> String {
        guard let v = metadata[key] else { throw GGUFError.missingKey(key) }
        guard let s = v.string else { throw GGUFError.wrongKeyType(key: key, expected: "a string") }
        return s
    }

    public func int(_ key: String) throws -> Int {
        guard let v = metadata[key] else { throw GGUFError.missingKey(key) }
        guard let i = v.int else { throw GGUFError.wrongKeyType(key: key, expected: "an integer") }
        return i
    }

    public func float(_ key: String) throws -> Float {
        guard let v = metadata[key] else { throw GGUFError.missingKey(key) }
        guard let f = v.float else { throw GGUFError.wrongKeyType(key: key, expected: "a number") }
        return f
    }

    /// The architecture name (`general.architecture`).
    public var architecture: String? { metadata["general.architecture"]?.string }

    // MARK: - Storage

    /// Owns the bytes: either a read-only private mapping or a heap copy.
    private final class Storage: @unchecked Sendable {
        let buffer: UnsafeRawBufferPointer
        private let mapped: Bool

        init(mappingFile path: String) throws {
            let fd = open(path, O_RDONLY)
            guard fd >= 0 else {
                throw GGUFError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
            }
            defer { close(fd) }
            var st = stat()
            guard fstat(fd, &st) == 0 else {
                throw GGUFError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
            }
            guard (st.st_mode & S_IFMT) == S_IFREG else {
                throw GGUFError.cannotOpen(path: path, reason: "not a regular file")
            }
            let size = Int(st.st_size)
            if size == 0 {
                buffer = UnsafeRawBufferPointer(start: nil, count: 0)
                mapped = false
                return
            }
            guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
                throw GGUFError.cannotOpen(path: path, reason: "mmap failed: \(String(cString: strerror(errno)))")
            }
            // No huge-page mappings of the file: a 2 MiB page-cache folio mapped
            // whole would be unmapped whole by the first partial
            // `releaseResidentPages` and mapped whole again by the next read of
            // any neighbour, so the pages of matrices already copied to the
            // interleaved layout (and released) would stay resident.
            _ = madvise(p, size, MADV_NOHUGEPAGE)
            buffer = UnsafeRawBufferPointer(start: p, count: size)
            mapped = true
        }

        func releaseResidentPages(offset: Int, count: Int) {
            guard mapped, let base = buffer.baseAddress, offset >= 0, count > 0, offset + count <= buffer.count else { return }
            let page = Int(sysconf(Int32(_SC_PAGESIZE)))
            let start = Int(bitPattern: base) + offset
            let first = (start + page - 1) / page * page
            let end = (start + count) / page * page
            guard end > first, let p = UnsafeMutableRawPointer(bitPattern: first) else { return }
            // MADV_DONTNEED on a read-only private file mapping drops our page-table
            // entries; the page cache (and the file) keep the bytes.
            _ = madvise(p, end - first, MADV_DONTNEED)
        }

        init(copying bytes: [UInt8]) {
            let p = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 64)
            bytes.withUnsafeBytes { src in
                if let s = src.baseAddress, let d = p.baseAddress { d.copyMemory(from: s, byteCount: bytes.count) }
            }
            buffer = UnsafeRawBufferPointer(start: p.baseAddress, count: bytes.count)
            mapped = false
        }

        deinit {
            guard let base = buffer.baseAddress else { return }
            if mapped {
                munmap(UnsafeMutableRawPointer(mutating: base), buffer.count)
            } else {
                base.deallocate()
            }
        }
    }
}
