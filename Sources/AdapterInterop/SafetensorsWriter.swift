import Foundation
import Kernels

/// Builds a safetensors file in memory: tensors sorted by name and packed in
/// that order, the JSON header padded with spaces to a multiple of 8 bytes
/// (as the reference writer does, so the data buffer starts aligned).
///
/// ```swift
/// var w = SafetensorsWriter()
/// try w.add("lora_A.weight", shape: [4, 32], floats: a)
/// try w.write(to: "adapter_model.safetensors")
/// ```
public struct SafetensorsWriter: Sendable {
    /// Written as `__metadata__` when not empty.
    public var metadata: [String: String] = [:]
    private var tensors: [String: (dtype: SafetensorsDType, shape: [Int], bytes: [UInt8])] = [:]

    public init(metadata: [String: String] = [:]) {
        self.metadata = metadata
    }

    /// Adds a tensor, encoding `floats` (row-major, numpy order `shape`) as F32 or F16.
    /// - Throws: ``SafetensorsError/badTensor(name:reason:)`` for a duplicate or
    ///   reserved name, a size mismatch, or a dtype other than F32/F16.
    public mutating func add(_ name: String, shape: [Int], floats: [Float], dtype: SafetensorsDType = .f32) throws {
        guard !name.isEmpty, name != "__metadata__" else { throw SafetensorsError.badTensor(name: name, reason: "reserved or empty name") }
        guard tensors[name] == nil else { throw SafetensorsError.badTensor(name: name, reason: "added twice") }
        guard shape.allSatisfy({ $0 >= 0 }), shape.reduce(1, *) == floats.count else {
            throw SafetensorsError.badTensor(name: name, reason: "\(floats.count) values do not fill shape \(shape)")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(floats.count * dtype.size)
        switch dtype {
        case .f32:
            for f in floats { withUnsafeBytes(of: f.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        case .f16:
            for f in floats { withUnsafeBytes(of: HalfFloat.half(from: f).littleEndian) { bytes.append(contentsOf: $0) } }
        default:
            throw SafetensorsError.unsupportedDType(name: name, dtype: dtype.rawValue)
        }
        tensors[name] = (dtype, shape, bytes)
    }

    /// The encoded file.
    public func encode() throws -> [UInt8] {
        var header: [String: Any] = [:]
        var offset = 0
        let names = tensors.keys.sorted()
        for name in names {
            guard let t = tensors[name] else { continue }
            header[name] = ["dtype": t.dtype.rawValue, "shape": t.shape, "data_offsets": [offset, offset + t.bytes.count]] as [String: Any]
            offset += t.bytes.count
        }
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var json = [UInt8](try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys, .withoutEscapingSlashes]))
        json.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - json.count % 8) % 8))
        var out: [UInt8] = []
        out.reserveCapacity(8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: json)
        for name in names { if let t = tensors[name] { out.append(contentsOf: t.bytes) } }
        return out
    }

    public func write(to path: String) throws {
        try Data(try encode()).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
