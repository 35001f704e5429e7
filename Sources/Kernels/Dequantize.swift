import CKernels
import GGUF

/// Quantized rows -> Float. `row` is the fast C path; `reference` is plain
/// scalar Swift written straight from ggml's dequantize_row_* formulas and
/// serves as the test oracle. Both give bit-identical results.
public enum Dequantize {
    /// Types both paths handle.
    public static let supportedTypes: Set<GGMLType> = [
        .f32, .f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q4_K, .q5_K, .q6_K, .q8_K,
    ]

    /// Fast path: dequantize `count` elements (whole blocks) of `type` at `src` into `dst`.
    /// Passing an unsupported type or a partial block is a programmer error
    /// (QuantMatrix validates model data before it gets here).
    public static func row(_ type: GGMLType, _ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        precondition(supportedTypes.contains(type), "Dequantize: unsupported type \(type)")
        precondition(count >= 0 && count % type.blockSize == 0 && count <= Int(Int32.max), "Dequantize: partial block")
        _ = ck_dequantize(Int32(type.rawValue), src, dst, Int32(count))
    }

    /// Plain scalar reference (the oracle for tests).
    public static func reference(_ type: GGMLType, _ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        precondition(supportedTypes.contains(type), "Dequantize: unsupported type \(type)")
        precondition(count >= 0 && count % type.blockSize == 0, "Dequantize: partial block")
        let blocks = count / type.blockSize
        for b in 0..<blocks {
            let blk = src + b * type.blockBytes
            let out = dst + b * type.blockSize
            switch type {
            case .f32: out[0] = blk.loadUnaligned(as: Float.self)
            case .f16: out[0] = HalfFloat.float(fromHalf: blk.loadUnaligned(as: UInt16.self))
            case .bf16: out[0] = HalfFloat.float(fromBFloat: blk.loadUnaligned(as: UInt16.self))
            case .q4_0: q4_0(blk, out)
            case .q4_1: q4_1(blk, out)
            case .q5_0: q5(blk, out, hasMin: false)
            case .q5_1: q5(blk, out, hasMin: true)
            case .q8_0: q8_0(blk, out)
            case .q4_K: q45K(blk, out, fiveBit: false)
            case .q5_K: q45K(blk, out, fiveBit: true)
            case .q6_K: q6_K(blk, out)
            case .q8_K: q8_K(blk, out)
            default: break
            }
        }
    }

    @inline(__always)
    private static func half(_ p: UnsafeRawPointer, _ offset: Int) -> Float {
        HalfFloat.float(fromHalf: p.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    @inline(__always)
    private static func byte(_ p: UnsafeRawPointer, _ offset: Int) -> Int {
        Int(p.load(fromByteOffset: offset, as: UInt8.self))
    }

    private static func q4_0(_ b: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = half(b, 0)
        for j in 0..<16 {
            let q = byte(b, 2 + j)
            y[j] = Float((q & 0xF) - 8) * d
            y[j + 16] = Float((q >> 4) - 8) * d
        }
    }

    private static func q4_1(_ b: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = half(b, 0), m = half(b, 2)
        for j in 0..<16 {
            let q = byte(b, 4 + j)
            y[j] = Float(q & 0xF) * d + m
            y[j + 16] = Float(q >> 4) * d + m
        }
    }

    /// Q5_0 (`d, qh, qs`, offset -16) and Q5_1 (`d, m, qh, qs`, plus m).
    private static func q5(_ b: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, hasMin: Bool) {
        let d = half(b, 0)
        let m: Float = hasMin ? half(b, 2) : 0
        let qhOffset = hasMin ? 4 : 2
        let qh = b.loadUnaligned(fromByteOffset: qhOffset, as: UInt32.self).littleEndian
        let qs = qhOffset + 4
        for j in 0..<16 {
            let h0 = Int(((qh >> UInt32(j)) << 4) & 0x10)
            let h1 = Int((qh >> UInt32(j + 12)) & 0x10)
            let q = byte(b, qs + j)
            if hasMin {
                y[j] = Float((q & 0xF) | h0) * d + m
                y[j + 16] = Float((q >> 4) | h1) * d + m
            } else {
                y[j] = Float(((q & 0xF) | h0) - 16) * d
                y[j + 16] = Float(((q >> 4) | h1) - 16) * d
            }
        }
    }

    private static func q8_0(_ b: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = half(b, 0)
        for j in 0..<32 { y[j] = Float(b.load(fromByteOffset: 2 + j, as: Int8.self)) * d }
    }

    /// ggml's get_scale_min_k4: 6-bit scale and min of sub-block j.
    static func scaleMinK4(_ j: Int, _ q: UnsafeRawPointer) -> (Int, Int) {
        func s(_ i: Int) -> Int { Int(q.load(fromByteOffset: i, as: UInt8.self)) }
        if j < 4 { return (s(j) & 63, s(j + 4) & 63) }
        return ((s(j + 4) & 0xF) | ((s(j - 4) >> 6) << 4), (s(j + 4) >> 4) | ((s(j) >> 6) << 4))
    }

    /// Q4_K (`d, dmin, scales[12], qs[128]`) and Q5_K (adds `qh[32]` before qs).
    private static func q45K(_ b: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, fiveBit: Bool) {
        let d = half(b, 0), dmin = half(b, 2)
        let scales = b + 4
        let qh = 16
        let qs = fiveBit ? 48 : 16
        for c in 0..<4 {
            let (sc1, m1i) = scaleMinK4(2 * c, scales)
            let (sc2, m2i) = scaleMinK4(2 * c + 1, scales)
            let d1 = d * Float(sc1), m1 = dmin * Float(m1i)
            let d2 = d * Float(sc2), m2 = dmin * Float(m2i)
            for l in 0..<32 {
                let q = byte(b, qs + 32 * c + l)
                var lo = q & 0xF, hi = q >> 4
                if fiveBit {
                    let h = byte(b, qh + l)
                    if h & (1 << (2 * c)) != 0 { lo += 16 }
                    if h & (2 << (2 * c)) != 0 { hi += 16 }
                }
                y[64 * c + l] = d1 * Float(lo) - m1
                y[64 * c + 32 + l] = d2 * Float(hi) - m2
            }
        }
    }

    /// Q6_K: `ql[128], qh[64], scales[16] (int8), d` (d last).
    private static func q6_K(_ b: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = half(b, 208)
        for n in 0..<2 {
            let ql = 64 * n, qh = 128 + 32 * n, sc = 192 + 8 * n
            func scale(_ i: Int) -> Float { Float(b.load(fromByteOffset: sc + i, as: Int8.self)) }
            for l in 0..<32 {
                let isc = l / 16
                let h = byte(b, qh + l)
                let q1 = ((byte(b, ql + l) & 0xF) | ((h >> 0) & 3) << 4) - 32
                let q2 = ((byte(b, ql + l + 32) & 0xF) | ((h >> 2) & 3) << 4) - 32
                let q3 = ((byte(b, ql + l) >> 4) | ((h >> 4) & 3) << 4) - 32
                let q4 = ((byte(b, ql + l + 32) >> 4) | ((h >> 6) & 3) << 4) - 32
                y[128 * n + l] = d * scale(isc) * Float(q1)
                y[128 * n + l + 32] = d * scale(isc + 2) * Float(q2)
                y[128 * n + l + 64] = d * scale(isc + 4) * Float(q3)
                y[128 * n + l + 96] = d * scale(isc + 6) * Float(q4)
            }
        }
    }

    /// Q8_K: `d (f32), qs[256] int8, bsums[16]`.
    private static func q8_K(_ b: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = b.loadUnaligned(as: Float.self)
        for j in 0..<256 { y[j] = d * Float(b.load(fromByteOffset: 4 + j, as: Int8.self)) }
    }
}
