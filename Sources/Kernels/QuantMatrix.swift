import CKernels
import GGUF

/// Errors for weights or requests the kernels cannot handle.
public enum KernelError: Error, Equatable {
    /// The kernels have no dot product / dequantizer for this type.
    case unsupportedType(GGMLType)
    /// `columns` is not a whole number of the type's blocks.
    case badRowLength(type: GGMLType, columns: Int)
}

/// How a matrix's quantized weights are arranged for the matmul kernels.
public enum WeightPacking: Sendable {
    /// llama.cpp's CPU choice on this machine: Q4_K repacked 8×8 (AVX2) and its
    /// tiled K-quant matmul for 8+ tokens. Results match llama.cpp bit for bit.
    case llamaCpp
    /// The rows as stored, vec_dot kernels only (llama.cpp with repacking and tiled matmuls off).
    case plain
    /// Aqyl's fast layout: Q4_0, Q4_1, Q5_0 and Q8_0 copied at load into 8-row
    /// interleaved blocks (same size as the source) whose kernels keep
    /// vec_dot's float steps per row, so results still match llama.cpp bit
    /// for bit; other types as `llamaCpp`.
    case interleaved
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
    /// The 8-row interleaved copy (``WeightPacking/interleaved``), made at init;
    /// nil where the type or shape has no interleaved kernel.
    public let interleaved: InterleavedWeights?

    /// Weight types MatMul can multiply.
    public static let supportedTypes: Set<GGMLType> = [
        .f32, .f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q4_K, .q5_K, .q6_K,
    ]

    /// - Parameter allowRepack: use llama.cpp's repacked Q4_K kernels and its tiled
    ///   K-quant matmul (8+ tokens) where llama.cpp would (false keeps the vec_dot
    ///   kernels, as llama.cpp with repacking and GGML_CPU_TILED_MM off).
    public init(type: GGMLType, rows: Int, columns: Int, base: UnsafeRawPointer, allowRepack: Bool = true) throws {
        try self.init(type: type, rows: rows, columns: columns, base: base, packing: allowRepack ? .llamaCpp : .plain)
    }

    /// - Parameter releaseSource: called with consecutive pieces of the source
    ///   bytes once they are copied into the interleaved layout (a mapped file
    ///   drops them from memory, so the copy never doubles the resident size).
    public init(type: GGMLType, rows: Int, columns: Int, base: UnsafeRawPointer, packing: WeightPacking,
                releaseSource: ((UnsafeRawPointer, Int) -> Void)? = nil) throws {
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
        // Whole groups of 8 rows are interleaved; up to 7 trailing rows (a vocabulary grown by
        // `aqyl vocab extend`, say) stay in the source layout and take the vec_dot kernels.
        let interleaved = packing == .interleaved ? InterleavedWeights(type: type, rows: rows / 8 * 8, columns: columns,
                                                                        source: base, rowBytes: bytes,
                                                                        releaseSource: releaseSource) : nil
        self.interleaved = interleaved
        self.allowTiled = packing != .plain
        self.repack = packing != .plain && interleaved == nil
            && RepackedQ4K.eligible(type: type, rows: rows, columns: columns) ? RepackedQ4K() : nil
    }

    /// The rows the interleaved copy lacks (rows % 8 at the end), as a plain view; nil when
    /// there is no interleaved copy or it covers every row.
    var interleavedTail: QuantMatrix? {
        guard let iw = interleaved, iw.rows < rows else { return nil }
        return try? QuantMatrix(type: type, rows: rows - iw.rows, columns: columns, base: base + iw.rows * rowBytes, packing: .plain)
    }

    /// Start of output row `r`.
    @inline(__always)
    public func row(_ r: Int) -> UnsafeRawPointer {
        precondition(r >= 0 && r < rows, "row index out of range")
        return base + r * rowBytes
    }

    /// Row `r` as floats (`columns` of them): an embedding lookup. Rows of the
    /// interleaved copy are read from it (the same bytes, unpacked), so a
    /// lookup never touches source pages the copy released: on a mapped file
    /// each such read would make its neighbourhood resident again.
    public func dequantizeRow(_ r: Int, into dst: UnsafeMutablePointer<Float>) {
        precondition(r >= 0 && r < rows, "row index out of range")
        guard let iw = interleaved, r < iw.rows else {
            Dequantize.row(type, row(r), dst, count: columns)
            return
        }
        withUnsafeTemporaryAllocation(byteCount: rowBytes, alignment: 16) { buffer in
            let unpacked = ck_r8_unpack_row(Int32(type.rawValue), iw.base, Int32(columns), Int32(r), buffer.baseAddress!)
            precondition(unpacked == 0, "an interleaved copy of an ineligible matrix")
            Dequantize.row(type, UnsafeRawPointer(buffer.baseAddress!), dst, count: columns)
        }
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

/// A matrix copied into the 8-row interleaved layout of CKernels' interleave.c
/// (same byte size as the source). Owns its buffer.
public final class InterleavedWeights: @unchecked Sendable {
    // @unchecked: written once in init, read-only afterwards.
    let base: UnsafeMutableRawPointer
    public let byteCount: Int
    /// Rows in the copy: the matrix's whole groups of 8.
    public let rows: Int

    /// Nil when `type`/shape has no interleaved kernel (rows % 8 ≠ 0, or not Q4_0/Q4_1/Q5_0/Q8_0).
    init?(type: GGMLType, rows: Int, columns: Int, source: UnsafeRawPointer, rowBytes: Int,
          releaseSource: ((UnsafeRawPointer, Int) -> Void)?) {
        let t = Int32(type.rawValue)
        guard rows <= Int(Int32.max), ck_r8_eligible(t, Int32(rows), Int32(columns)) != 0 else { return nil }
        byteCount = ck_r8_bytes(t, Int32(rows), Int32(columns))
        self.rows = rows
        guard let buffer = ck_weights_alloc(byteCount) else { return nil }   // out of memory: keep the source layout
        base = buffer
        // Slices of ~4 MB: the source of each is released before the next is
        // read, so a 180 MB output matrix costs 4 MB extra at its peak, not 180.
        let groupBytes = byteCount / (rows / 8)
        let slice = max(8, (4 << 20) / max(groupBytes, 1) * 8)
        var r = 0
        while r < rows {
            let n = min(slice, rows - r)
            ck_r8_repack(t, source + r * rowBytes, rowBytes, base + (r / 8) * groupBytes, Int32(n), Int32(columns))
            releaseSource?(source + r * rowBytes, n * rowBytes)
            r += n
        }
    }

    deinit { ck_weights_free(base) }
}
