import FileContents
import Foundation
import Kernels

/// An element type of the safetensors format, by its wire name.
public enum SafetensorsDType: String, Sendable, CaseIterable {
    case bool = "BOOL", u8 = "U8", i8 = "I8", f8e5m2 = "F8_E5M2", f8e4m3 = "F8_E4M3"
    case i16 = "I16", u16 = "U16", f16 = "F16", bf16 = "BF16"
    case i32 = "I32", u32 = "U32", f32 = "F32"
    case i64 = "I64", u64 = "U64", f64 = "F64"

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .bool, .u8, .i8, .f8e5m2, .f8e4m3: return 1
        case .i16, .u16, .f16, .bf16: return 2
        case .i32, .u32, .f32: return 4
        case .i64, .u64, .f64: return 8
        }
    }
}

/// One tensor's header entry.
public struct SafetensorsTensorInfo: Sendable, Equatable {
    public let name: String
    public let dtype: SafetensorsDType
    /// Row-major shape, outermost first (numpy order).
    public let shape: [Int]
    /// Byte range within the data buffer that follows the header.
    public let range: Range<Int>

    public var elementCount: Int { shape.reduce(1, *) }
}

/// A safetensors file: `u64` little-endian header length N, N bytes of JSON
/// `{"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}`,
/// then the data buffer (offsets relative to its start, little-endian, row-major).
///
/// The header is validated completely on open, as the reference implementation
/// does: lengths against the file size, every tensor's byte span against its
/// dtype × shape and against the buffer, and no two spans overlapping. So a
/// damaged or hostile file fails here with a ``SafetensorsError`` and never
/// in a later read.
///
/// ```swift
/// let st = try SafetensorsFile(path: "adapter_model.safetensors")
/// let a = try st.floats("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight")
/// ```
public struct SafetensorsFile: Sendable {
    /// Tensors sorted by name.
    public let tensors: [SafetensorsTensorInfo]
    /// `__metadata__` (string to string), empty when absent.
    public let metadata: [String: String]
    private let bytes: Data
    private let dataStart: Int
    private let index: [String: Int]

    /// The reference implementation refuses headers above 100 MB; so do we,
    /// before allocating for one.
    static let maxHeaderLength = 100_000_000

    /// Maps (or reads) the file at `path` and validates its header.
    public init(path: String) throws {
        let data: Data
        do {
            data = try FileContents.read(path)
        } catch {
            throw SafetensorsError.cannotRead(path: path, reason: (error as NSError).localizedDescription)
        }
        try self.init(data: data)
    }

    /// Parses an in-memory file.
    public init(data: Data) throws {
        // Offsets below count from 0; a slice of a larger Data does not.
        let data = data.startIndex == 0 ? data : data.withUnsafeBytes { Data($0) }
        bytes = data
        guard data.count >= 8 else { throw SafetensorsError.truncated(needed: 8, available: data.count) }
        let length = data.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard length <= UInt64(Self.maxHeaderLength) else { throw SafetensorsError.headerTooLarge(Int(clamping: length)) }
        let headerLength = Int(length)
        guard headerLength <= data.count - 8 else {
            throw SafetensorsError.truncated(needed: 8 + headerLength, available: data.count)
        }
        dataStart = 8 + headerLength
        let headerBytes = data.subdata(in: 8..<dataStart)
        guard headerBytes.first == UInt8(ascii: "{") else {
            throw SafetensorsError.badHeader("the header must be a JSON object starting with '{'")
        }
        let raw: RawHeader
        do {
            raw = try JSONDecoder().decode(RawHeader.self, from: headerBytes)
        } catch let error as SafetensorsError {
            throw error
        } catch let DecodingError.dataCorrupted(context) {
            throw SafetensorsError.badHeader(Self.describe(context))
        } catch let DecodingError.keyNotFound(key, context) {
            throw SafetensorsError.badHeader("missing '\(key.stringValue)' at \(Self.path(context))")
        } catch let DecodingError.typeMismatch(_, context) {
            throw SafetensorsError.badHeader(Self.describe(context))
        } catch let DecodingError.valueNotFound(_, context) {
            throw SafetensorsError.badHeader(Self.describe(context))
        } catch {
            throw SafetensorsError.badHeader("\(error)")
        }
        metadata = raw.metadata
        tensors = try Self.check(raw.entries, bufferSize: data.count - dataStart)
        index = Dictionary(uniqueKeysWithValues: tensors.enumerated().map { ($1.name, $0) })
    }

    public func tensor(named name: String) -> SafetensorsTensorInfo? {
        index[name].map { tensors[$0] }
    }

    /// The tensor's values as Float (F32 as is, F16 and BF16 widened exactly).
    /// - Throws: ``SafetensorsError/missingTensor(_:)``, ``SafetensorsError/unsupportedDType(name:dtype:)``.
    public func floats(_ name: String) throws -> [Float] {
        guard let t = tensor(named: name) else { throw SafetensorsError.missingTensor(name) }
        return try floats(t)
    }

    public func floats(_ t: SafetensorsTensorInfo) throws -> [Float] {
        let n = t.elementCount
        var out = [Float](repeating: 0, count: n)
        try bytes.withUnsafeBytes { raw in
            let src = UnsafeRawBufferPointer(rebasing: raw[(dataStart + t.range.lowerBound)..<(dataStart + t.range.upperBound)])
            switch t.dtype {
            case .f32:
                for i in 0..<n { out[i] = Float(bitPattern: UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
            case .f16:
                for i in 0..<n { out[i] = HalfFloat.float(fromHalf: UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
            case .bf16:
                for i in 0..<n { out[i] = HalfFloat.float(fromBFloat: UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
            default:
                throw SafetensorsError.unsupportedDType(name: t.name, dtype: t.dtype.rawValue)
            }
        }
        return out
    }

    /// Checks every entry and that no two byte spans overlap.
    private static func check(_ entries: [String: RawEntry], bufferSize: Int) throws -> [SafetensorsTensorInfo] {
        var infos: [SafetensorsTensorInfo] = []
        for (name, e) in entries {
            guard let dtype = SafetensorsDType(rawValue: e.dtype) else {
                throw SafetensorsError.badTensor(name: name, reason: "unknown dtype '\(e.dtype)'")
            }
            guard e.shape.allSatisfy({ $0 >= 0 }) else {
                throw SafetensorsError.badTensor(name: name, reason: "negative dimension in shape \(e.shape)")
            }
            guard e.offsets.count == 2, e.offsets[0] >= 0, e.offsets[0] <= e.offsets[1] else {
                throw SafetensorsError.badTensor(name: name, reason: "data_offsets \(e.offsets) must be [begin, end] with 0 ≤ begin ≤ end")
            }
            guard e.offsets[1] <= bufferSize else {
                throw SafetensorsError.badTensor(name: name, reason: "data_offsets \(e.offsets) run past the \(bufferSize)-byte data buffer")
            }
            var size = dtype.size
            for d in e.shape {
                let (s, overflow) = size.multipliedReportingOverflow(by: d)
                guard !overflow else { throw SafetensorsError.badTensor(name: name, reason: "shape \(e.shape) is too large") }
                size = s
            }
            guard e.offsets[1] - e.offsets[0] == size else {
                throw SafetensorsError.badTensor(
                    name: name, reason: "\(e.offsets[1] - e.offsets[0]) bytes at \(e.offsets) but \(dtype.rawValue) \(e.shape) needs \(size)")
            }
            infos.append(SafetensorsTensorInfo(name: name, dtype: dtype, shape: e.shape, range: e.offsets[0]..<e.offsets[1]))
        }
        // Empty tensors occupy no bytes and cannot overlap anything.
        let spans = infos.filter { !$0.range.isEmpty }.sorted { $0.range.lowerBound < $1.range.lowerBound }
        for (a, b) in zip(spans, spans.dropFirst()) where b.range.lowerBound < a.range.upperBound {
            throw SafetensorsError.overlapping(a.name, b.name)
        }
        return infos.sorted { $0.name < $1.name }
    }

    private static func path(_ context: DecodingError.Context) -> String {
        context.codingPath.isEmpty ? "the top level" : "'" + context.codingPath.map(\.stringValue).joined(separator: ".") + "'"
    }

    private static func describe(_ context: DecodingError.Context) -> String {
        "\(context.debugDescription) (at \(path(context)))"
    }
}

/// The header as written on the wire.
private struct RawHeader: Decodable {
    var entries: [String: RawEntry] = [:]
    var metadata: [String: String] = [:]

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        for key in c.allKeys {
            if key.stringValue == "__metadata__" {
                metadata = try c.decode([String: String].self, forKey: key)
            } else {
                entries[key.stringValue] = try c.decode(RawEntry.self, forKey: key)
            }
        }
    }
}

private struct RawEntry: Decodable {
    var dtype: String
    var shape: [Int]
    var offsets: [Int]

    enum CodingKeys: String, CodingKey {
        case dtype, shape
        case offsets = "data_offsets"
    }
}
