import CKernels
import GGUF

/// Errors for weights or requests the kernels cannot handle.
public enum KernelError: Error, Equatable {
    /// The kernels have no dot product / dequantizer for this type.
    case unsupportedType(GGMLType)
    /// `columns` is not a whole number of the type's blocks.
    case badRowLength(type: GGMLType, columns: Int)
}

/// Read-only view of a 2-D weight matrix stored in its GGUF quant type
/// (rows = ne1 = outputs, columns = ne0 = inputs; row-major, one contiguous
/// row per output). It does not own `base`: the caller (usually a memory
/// map) must keep the bytes alive while the view is used.
public struct QuantMatrix: @unchecked Sendable {
    public let type: GGMLType
    public let rows: Int
    public let columns: Int
    public let base: UnsafeRawPointer
    public let rowBytes: Int
    /// llama.cpp's repacked (block_q4_Kx8) copy for eligible Q4_K matrices
    /// on AVX2 machines, built on first use; nil where llama.cpp keeps vec_dot.
    let repack: RepackedQ4K?
    /// Whether batches of 8+ tokens may take llama.cpp's tiled K-quant matmul
    /// (ggml-cpu/tiled; Q4_K/Q5_K/Q6_K on AVX2), as llama.cpp does by default.
    let allowTiled: Bool

    /// Weight types MatMul can multiply.
    public static let supportedTypes: Set<GGMLType> = [
        .f32, .f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q4_K, .q5_K, .q6_K,
    ]

    /// - Parameter allowRepack: use llama.cpp's repacked Q4_K kernels and its tiled
    ///   K-quant matmul (8+ tokens) where llama.cpp would (false keeps the vec_dot
    ///   kernels, as llama.cpp with repacking and GGML_CPU_TILED_MM off).
    public init(type: GGMLType, rows: Int, columns: Int, base: UnsafeRawPointer, allowRepack: Bool = true) throws {
        guard Self.supportedTypes.contains(type) else { throw KernelError.unsupportedType(type) }
        // Int32 bound: the C kernels take element counts as int.
        guard rows >= 0, columns > 0, columns <= Int(Int32.max),
              let bytes = type.rowBytes(columns)
        else { throw KernelError.badRowLength(type: type, columns: columns) }
        self.type = type
        self.rows = rows
        self.columns = columns
        self.base = base
        self.rowBytes = bytes
        self.allowTiled = allowRepack
        self.repack = allowRepack && RepackedQ4K.eligible(type: type, rows: rows, columns: columns) ? RepackedQ4K() : nil
    }

    /// Start of output row `r`.
    @inline(__always)
    public func row(_ r: Int) -> UnsafeRawPointer {
        precondition(r >= 0 && r < rows, "row index out of range")
        return base + r * rowBytes
    }
}

/// Holder of a Q4_K matrix's repacked copy (ggml-cpu/repack.cpp: on AVX2,
/// Q4_K weights with rows % 8 == 0 are interleaved 8 rows at a time and
/// multiplied by the q4_K_8x8_q8_K gemv/gemm kernels). The copy is as large
/// as the tensor and is built once, by whichever thread needs it first.
final class RepackedQ4K: @unchecked Sendable {
    /// Heap cell (stable address) that C publishes the copy into atomically.
    private let slot: UnsafeMutablePointer<UnsafeMutableRawPointer?> = {
        let p = UnsafeMutablePointer<UnsafeMutableRawPointer?>.allocate(capacity: 1)
        p.initialize(to: nil)
        return p
    }()

    /// llama.cpp's rule (ggml_repack_get_optimal_repack_type): Q4_K, AVX2, ne[1] % 8 == 0.
    static func eligible(type: GGMLType, rows: Int, columns: Int) -> Bool {
        type == .q4_K && rows > 0 && rows % 8 == 0 && columns % 256 == 0 && ck_repack_available() != 0
    }

    func packed(_ w: QuantMatrix) -> UnsafeRawPointer? {
        ck_repack_q4_K_lazy(slot, w.base, Int32(w.rows), Int32(w.columns))
    }

    deinit {
        if let p = slot.pointee { ck_repack_free(p) }
        slot.deallocate()
    }
}
