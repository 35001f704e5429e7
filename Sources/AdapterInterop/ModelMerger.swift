import Foundation
import GGUF
import Kernels
import Models

/// The tensor type merged matrices are written in.
public enum MergeType: String, Sendable, CaseIterable {
    /// The base tensor's own type (re-quantized: lossy for K-quants, which are
    /// quantized a second time with ggml's reference quantizer).
    case keep
    case f32
    case f16
    /// Needs rows whose length is a multiple of 32.
    case q8_0

    func ggmlType(base: GGMLType) -> GGMLType {
        switch self {
        case .keep: return base
        case .f32: return .f32
        case .f16: return .f16
        case .q8_0: return .q8_0
        }
    }
}

/// Why a merge cannot be done.
public enum MergeError: Error, Equatable, Sendable, CustomStringConvertible {
    case noAdapters
    case badScale(adapter: String, scale: Float)
    case cannotDecode(tensor: String, type: GGMLType)
    case cannotEncode(tensor: String, type: GGMLType, reason: String)
    case notFinite(tensor: String)

    public var description: String {
        switch self {
        case .noAdapters: return "merge needs at least one adapter"
        case let .badScale(a, s): return "adapter '\(a)': scale \(s) is not a finite number"
        case let .cannotDecode(t, type): return "cannot merge into '\(t)': its type \(type) cannot be dequantized; convert the model first"
        case let .cannotEncode(t, type, r): return "cannot write merged '\(t)' as \(type): \(r)"
        case let .notFinite(t): return "merged '\(t)' has non-finite values (is an adapter scale too large?)"
        }
    }
}

/// Bakes LoRA adapters into a model: W' = W + Σ scale·B·A for each adapted
/// matrix, every other tensor and every metadata key copied unchanged and in
/// order (so `general.alignment` and the tensor order llama.cpp reads stay).
///
/// Memory: ``GGUFWriter`` builds the whole output in memory — the tensor
/// copies, the encoded bytes and the `Data` it writes — so the peak is about
/// four times the model file with the mapped input (measured: 2.2 GB for a
/// 540 MB F32 model). Adapted matrices are processed in blocks of rows, so the
/// F32 working set itself stays small. A streaming writer would remove this.
public enum ModelMerger {
    /// Rows dequantized, updated and re-encoded at a time.
    static let rowBlock = 64

    /// Writes the merged model to `path`; returns the names of the merged tensors.
    /// - Parameters:
    ///   - adapters: each adapter with its user scale (llama.cpp's `--lora-scaled`);
    ///     the effective multiplier is ``LoRAAdapter/scale(of:userScale:)``.
    /// - Throws: ``LoRAError`` if an adapter does not fit `model`, ``MergeError``
    ///   for types that cannot be read or written, GGUF and file errors.
    @discardableResult
    public static func merge(model: GGUFFile, adapters: [(adapter: LoRAAdapter, scale: Float)], type: MergeType,
                             to path: String) throws -> [String] {
        let (writer, merged) = try merged(model: model, adapters: adapters, type: type)
        try writer.write(to: path)
        return merged
    }

    /// The merged model as a writer (the work of ``merge(model:adapters:type:to:)`` without the file).
    public static func merged(model: GGUFFile, adapters: [(adapter: LoRAAdapter, scale: Float)],
                              type: MergeType) throws -> (GGUFWriter, [String]) {
        guard !adapters.isEmpty else { throw MergeError.noAdapters }
        var terms: [String: [(pair: LoRAPair, scale: Float)]] = [:]
        for (adapter, userScale) in adapters {
            guard userScale.isFinite else { throw MergeError.badScale(adapter: adapter.name, scale: userScale) }
            try adapter.validate(against: model)
            for (name, pair) in adapter.pairs {
                terms[name, default: []].append((pair, adapter.scale(of: pair, userScale: userScale)))
            }
        }

        var w = GGUFWriter()
        for key in model.metadataKeys {
            if let value = model.metadata[key] { w.set(key, value) }
        }
        var merged: [String] = []
        for t in model.tensors {
            if let ts = terms[t.name] {
                let outType = type.ggmlType(base: t.type)
                try w.addTensor(name: t.name, type: outType, dimensions: t.dimensions,
                                bytes: try mergeMatrix(t, data: model.tensorData(t), terms: ts, to: outType))
                merged.append(t.name)
            } else {
                try w.addTensor(name: t.name, type: t.type, dimensions: t.dimensions, from: model, tensor: t)
            }
        }
        return (w, merged)
    }

    /// W (outputs, inputs) + Σ scale·B·A, encoded in `type`, block of rows by block of rows.
    static func mergeMatrix(_ t: GGUFTensorInfo, data: UnsafeRawBufferPointer, terms: [(pair: LoRAPair, scale: Float)],
                            to type: GGMLType) throws -> [UInt8] {
        guard Dequantize.supportedTypes.contains(t.type), let inRow = t.type.rowBytes(t.columns),
              let base = data.baseAddress else {
            throw MergeError.cannotDecode(tensor: t.name, type: t.type)
        }
        guard Quantize.supportedTypes.contains(type) else {
            throw MergeError.cannotEncode(tensor: t.name, type: type, reason: "Aqyl has no quantizer for it; choose --type f16 or q8_0")
        }
        guard let outRow = type.rowBytes(t.columns) else {
            throw MergeError.cannotEncode(tensor: t.name, type: type,
                                          reason: "rows of \(t.columns) values are not a whole number of \(type.blockSize)-value blocks")
        }
        let columns = t.columns, rows = t.rows
        var out: [UInt8] = []
        out.reserveCapacity(rows * outRow)
        var block = [Float](repeating: 0, count: rowBlock * columns)
        for r0 in stride(from: 0, to: rows, by: rowBlock) {
            let n = min(rowBlock, rows - r0)
            try block.withUnsafeMutableBufferPointer { buf in
                guard let w = buf.baseAddress else { return }
                Dequantize.row(t.type, base + r0 * inRow, w, count: n * columns)
                for (p, scale) in terms {
                    // W[r0..<r0+n] (n, inputs) += scale · B[r0..<r0+n] (n, rank) · A (rank, inputs)
                    p.b.withUnsafeBufferPointer { b in
                        p.a.withUnsafeBufferPointer { a in
                            guard let b = b.baseAddress, let a = a.baseAddress else { return }  // rank 0: nothing to add
                            FloatGEMM.nn(m: n, n: columns, k: p.rank, alpha: scale, a: b + r0 * p.rank, lda: p.rank,
                                         b: a, ldb: columns, beta: 1, c: w, ldc: columns)
                        }
                    }
                }
                if !(0..<(n * columns)).allSatisfy({ w[$0].isFinite }) { throw MergeError.notFinite(tensor: t.name) }
            }
            out.append(contentsOf: try Quantize.quantize(Array(block[0..<(n * columns)]), to: type))
        }
        return out
    }
}
