import CKernels
import GGUF

/// Wᵀ of a quantized matrix, stored as Q8_0 (rows = W's columns), so the
/// backward product dX = dY·W runs on the int8 matmul kernels like a forward
/// pass: dX = multiply(Wᵀ, dY). Costs about 1.06 bytes per weight; built once.
/// Whole groups of 8 rows are copied into the interleaved layout (the fast
/// kernels, same bits as vec_dot), and the plain rows they came from are
/// returned to the kernel slice by slice, so the copy costs no extra memory.
public final class TransposedQ8: @unchecked Sendable {
    // @unchecked: immutable after init.
    public let matrix: QuantMatrix
    private let storage: UnsafeMutableRawPointer

    /// Nil when W's row count is not a multiple of 32 (Q8_0's block).
    public init?(_ w: QuantMatrix) {
        let block = GGMLType.q8_0.blockSize
        guard w.rows % block == 0, let rowBytes = GGMLType.q8_0.rowBytes(w.rows) else { return nil }
        let rows = w.columns, bytes = rows * rowBytes
        guard let buffer = ck_weights_alloc(max(bytes, 1)) else { return nil }
        storage = buffer
        let tile = UnsafeMutablePointer<Float>.allocate(capacity: block * w.columns)
        let column = UnsafeMutablePointer<Float>.allocate(capacity: block)
        defer { tile.deallocate(); column.deallocate() }
        let blockBytes = GGMLType.q8_0.blockBytes
        for r0 in stride(from: 0, to: w.rows, by: block) {
            // 32 rows of W → one Q8_0 block in each row of Wᵀ.
            // From W's interleaved copy where it has one (the same bytes): the file's pages of
            // a repacked matrix were released at load, and reading them would map them back.
            for i in 0..<block { w.dequantizeRow(r0 + i, into: tile + i * w.columns) }
            for c in 0..<w.columns {
                for i in 0..<block { column[i] = tile[i * w.columns + c] }
                _ = ck_quantize_ref(Int32(GGMLType.q8_0.rawValue), column, storage + c * rowBytes + (r0 / block) * blockBytes, Int32(block))
            }
        }
        guard let m = try? QuantMatrix(type: .q8_0, rows: rows, columns: w.rows, base: UnsafeRawPointer(storage), packing: .interleaved,
                                       releaseSource: { p, n in ck_weights_release(UnsafeMutableRawPointer(mutating: p), n) }) else {
            ck_weights_free(storage)
            return nil
        }
        matrix = m
    }

    deinit { ck_weights_free(storage) }

    /// Bytes held: the interleaved copy and the plain rows it does not cover.
    public var byteCount: Int {
        let copied = matrix.interleaved?.rows ?? 0
        return (matrix.interleaved?.byteCount ?? 0) + (matrix.rows - copied) * matrix.rowBytes
    }
}
