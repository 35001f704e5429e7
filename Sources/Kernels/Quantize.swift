import CKernels
import GGUF

/// F32 -> GGUF block types with ggml's reference quantizers
/// (quantize_row_*_ref, including the make_qkx2/make_qx scale searches of
/// the K-quants), so the bytes match what llama.cpp's reference path writes.
public enum Quantize {
    /// Types `quantize` can produce.
    public static let supportedTypes: Set<GGMLType> = [
        .f32, .f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q8_1, .q4_K, .q5_K, .q6_K, .q8_K,
    ]

    /// Reference quantizer F32 -> any supported weight type. `x.count` must
    /// be a whole number of blocks of `type`.
    public static func quantize(_ x: [Float], to type: GGMLType) throws -> [UInt8] {
        guard supportedTypes.contains(type) else { throw KernelError.unsupportedType(type) }
        guard x.count <= Int(Int32.max), let bytes = type.rowBytes(x.count) else {
            throw KernelError.badRowLength(type: type, columns: x.count)
        }
        var out = [UInt8](repeating: 0, count: bytes)
        x.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBytes { dst in
                guard let s = src.baseAddress, let d = dst.baseAddress else { return }
                _ = ck_quantize_ref(Int32(type.rawValue), s, d, Int32(x.count))
            }
        }
        return out
    }
}
