import GGUF
import Kernels

/// Every weight type MatMul supports; elements per test row must be a
/// multiple of 256 so the K-quants fit.
let weightTypes: [GGMLType] = [.f32, .f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q4_K, .q5_K, .q6_K]
let dequantTypes: [GGMLType] = weightTypes + [.q8_K]

/// Dequantizes a whole buffer with the fast or the reference path.
func dequantize(_ type: GGMLType, _ bytes: [UInt8], count: Int, reference: Bool) -> [Float] {
    var out = [Float](repeating: .nan, count: count)
    bytes.withUnsafeBytes { src in
        out.withUnsafeMutableBufferPointer { dst in
            guard let s = src.baseAddress, let d = dst.baseAddress else { return }
            if reference { Dequantize.reference(type, s, d, count: count) } else { Dequantize.row(type, s, d, count: count) }
        }
    }
    return out
}

/// ‖a − b‖ / ‖b‖ (0 when both are zero).
func relativeError(_ a: [Float], _ b: [Float]) -> Float {
    var num: Double = 0, den: Double = 0
    for i in 0..<b.count {
        num += Double(a[i] - b[i]) * Double(a[i] - b[i])
        den += Double(b[i]) * Double(b[i])
    }
    return den == 0 ? (num == 0 ? 0 : .infinity) : Float((num / den).squareRoot())
}

func norm(_ a: [Float]) -> Float { Float(a.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()) }
