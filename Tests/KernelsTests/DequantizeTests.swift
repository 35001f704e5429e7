import GGUF
import Kernels
import Testing

/// Round-trip error bounds, ‖dequant(quant(x)) − x‖ / ‖x‖ for uniform data
/// with sparse 4x outliers. Set a little above what ggml's own reference
/// quantizers give for such data.
let roundTripTolerance: [GGMLType: Float] = [
    .f32: 0, .f16: 1e-3, .bf16: 5e-3, .q8_0: 0.01, .q8_K: 0.02,
    .q4_0: 0.15, .q4_1: 0.12, .q5_0: 0.075, .q5_1: 0.06,
    .q4_K: 0.12, .q5_K: 0.06, .q6_K: 0.03,
]

@Suite struct DequantizeTests {
    @Test(arguments: dequantTypes)
    func fastMatchesReferenceBitExactly(type: GGMLType) throws {
        var rng = TestRNG(seed: 0xC0FFEE &+ UInt64(type.rawValue))
        // Several magnitudes plus an all-zero block.
        var x = rng.floats(512) + rng.floats(512, scale: 1e-3) + rng.floats(512, scale: 300)
        x += [Float](repeating: 0, count: 512)
        let q = try Quantize.quantize(x, to: type)
        let fast = dequantize(type, q, count: x.count, reference: false)
        let ref = dequantize(type, q, count: x.count, reference: true)
        #expect(fast.map(\.bitPattern) == ref.map(\.bitPattern))
    }

    @Test(arguments: dequantTypes)
    func roundTripErrorIsSmall(type: GGMLType) throws {
        var rng = TestRNG(seed: 42 &+ UInt64(type.rawValue))
        let x = rng.floats(4096)
        let q = try Quantize.quantize(x, to: type)
        let back = dequantize(type, q, count: x.count, reference: true)
        let err = relativeError(back, x)
        let tol = try #require(roundTripTolerance[type])
        #expect(err <= tol, "\(type): round-trip error \(err) > \(tol)")
    }

    /// Q4_0 block built by hand: d = 0.5, qs[j] = j | (15 − j) << 4.
    @Test func q4_0KnownBlock() {
        var block: [UInt8] = [0x00, 0x38]   // fp16 0.5, little endian
        for j in 0..<16 { block.append(UInt8(j | ((15 - j) << 4))) }
        var expected = [Float](repeating: 0, count: 32)
        for j in 0..<16 {
            expected[j] = Float(j - 8) * 0.5
            expected[j + 16] = Float(7 - j) * 0.5
        }
        #expect(dequantize(.q4_0, block, count: 32, reference: true) == expected)
        #expect(dequantize(.q4_0, block, count: 32, reference: false) == expected)
    }

    /// Q6_K block built by hand: every ql byte 0x21 and qh byte 0xE4 give the
    /// four 32-element quarters of each half the quants −31, −15, 2, 18;
    /// scales[g] = g − 8 and d = 1, so y[e] = (e/16 − 8) · q(quarter).
    @Test func q6_KKnownBlock() {
        var block = [UInt8](repeating: 0x21, count: 128)            // ql
        block += [UInt8](repeating: 0xE4, count: 64)                // qh
        for g in 0..<16 { block.append(UInt8(bitPattern: Int8(g - 8))) }  // scales
        block += [0x00, 0x3C]                                       // d = 1.0
        #expect(block.count == 210)
        let quarter: [Float] = [-31, -15, 2, 18]
        var expected = [Float](repeating: 0, count: 256)
        for e in 0..<256 {
            let scale = Float(e / 16 - 8)
            expected[e] = scale * quarter[(e % 128) / 32]
        }
        #expect(dequantize(.q6_K, block, count: 256, reference: true) == expected)
        #expect(dequantize(.q6_K, block, count: 256, reference: false) == expected)
    }

    @Test func halfConversions() {
        for h: UInt16 in [0x0000, 0x8000, 0x0001, 0x03FF, 0x0400, 0x3C00, 0xC000, 0x7BFF, 0x7C00, 0xFC00] {
            let f = HalfFloat.float(fromHalf: h)
            #expect(HalfFloat.half(from: f) == h, "half \(h)")
        }
        #expect(HalfFloat.float(fromHalf: 0x3555) == Float(Float16(bitPattern: 0x3555)))
        #expect(HalfFloat.float(fromBFloat: HalfFloat.bfloat(from: 1.5)) == 1.5)
        #expect(HalfFloat.bfloat(from: 1.00390625) == 0x3F80)   // tie rounds to even
    }

    @Test func quantizeRejectsBadInput() {
        #expect(throws: KernelError.badRowLength(type: .q4_K, columns: 100)) {
            _ = try Quantize.quantize([Float](repeating: 0, count: 100), to: .q4_K)
        }
        #expect(throws: KernelError.unsupportedType(.q2_K)) {
            _ = try Quantize.quantize([Float](repeating: 0, count: 256), to: .q2_K)
        }
    }
}
