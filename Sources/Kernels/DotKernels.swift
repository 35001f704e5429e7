import CKernels
import GGUF

/// Direct access to the single-row dot kernels and activation quantizers,
/// by variant, so tests can hold the SIMD kernels to the scalar ones and
/// tools can report which set runs on this CPU.
public enum DotKernels {
    public enum Variant: Sendable, CaseIterable {
        /// Portable scalar C (the semantic reference).
        case generic
        /// AVX2/FMA/F16C; the generic code where the CPU lacks them.
        case avx2
        /// Whatever MatMul uses on this CPU.
        case best
    }

    /// True when the AVX2 kernels run on this CPU.
    public static var hasAVX2: Bool { ck_has_avx2() != 0 }

    /// "avx2" or "generic".
    public static var kernelSet: String { String(cString: ck_kernel_set()) }

    /// Dot of `count` elements of a weight row against an activation row of
    /// type `MatMul.activationType(for: weightType)` (floats for float weights).
    public static func dot(_ weightType: GGMLType, count: Int, weights: UnsafeRawPointer, activations: UnsafeRawPointer,
                           variant: Variant = .best) -> Float {
        precondition(MatMul.activationType(for: weightType) != nil, "no dot kernel for \(weightType)")
        let t = Int32(weightType.rawValue), n = Int32(count)
        switch variant {
        case .generic: return ck_vec_dot_generic(t, n, weights, activations)
        case .avx2: return ck_vec_dot_avx2(t, n, weights, activations)
        case .best: return ck_vec_dot(t, n, weights, activations)
        }
    }

    /// Quantizes `count` floats to an activation type (Q8_0, Q8_1 or Q8_K).
    /// The generic variant follows ggml's *_ref code; the AVX2 variant, like
    /// ggml's, rounds Q8_0/Q8_1 halfway cases to even.
    public static func quantizeActivations(_ type: GGMLType, _ x: UnsafePointer<Float>, count: Int, into out: UnsafeMutableRawPointer,
                                           variant: Variant = .best) {
        precondition(type == .q8_0 || type == .q8_1 || type == .q8_K, "not an activation type: \(type)")
        let t = Int32(type.rawValue), n = Int32(count)
        switch variant {
        case .generic: ck_quantize_act_generic(t, x, out, n)
        case .avx2: ck_quantize_act_avx2(t, x, out, n)
        case .best: ck_quantize_act(t, x, out, n)
        }
    }
}
