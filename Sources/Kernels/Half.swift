import CKernels

/// IEEE half and bfloat16 conversions. Weights and quant-block scales are
/// stored as 16-bit floats; these are the exact conversions ggml uses
/// (widening is exact, narrowing rounds to nearest even).
public enum HalfFloat {
    /// Widens IEEE binary16 bits to Float (exact). Pure Swift, so the
    /// reference dequantizer does not depend on the C kernels it checks.
    @inline(__always)
    public static func float(fromHalf h: UInt16) -> Float {
        let sign: UInt32 = UInt32(h & 0x8000) << 16
        let exponent = UInt32((h >> 10) & 0x1F)
        let mantissa = UInt32(h & 0x3FF)
        if exponent == 0 {
            let magnitude = Float(mantissa) * 0x1p-24
            return sign != 0 ? -magnitude : magnitude
        }
        if exponent == 31 {
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        }
        return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
    }

    /// Narrows Float to IEEE binary16 bits, round to nearest even.
    @inline(__always)
    public static func half(from f: Float) -> UInt16 { ck_fp32_to_fp16(f) }

    /// Widens bfloat16 bits (the top half of an f32) to Float.
    @inline(__always)
    public static func float(fromBFloat b: UInt16) -> Float { Float(bitPattern: UInt32(b) << 16) }

    /// Narrows Float to bfloat16, round to nearest even, NaN kept quiet.
    @inline(__always)
    public static func bfloat(from f: Float) -> UInt16 { ck_fp32_to_bf16(f) }
}
