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

    /// Weight types MatMul can multiply.
    public static let supportedTypes: Set<GGMLType> = [
        .f32, .f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q4_K, .q5_K, .q6_K,
    ]

    public init(type: GGMLType, rows: Int, columns: Int, base: UnsafeRawPointer) throws {
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
    }

    /// Start of output row `r`.
    @inline(__always)
    public func row(_ r: Int) -> UnsafeRawPointer {
        precondition(r >= 0 && r < rows, "row index out of range")
        return base + r * rowBytes
    }
}
