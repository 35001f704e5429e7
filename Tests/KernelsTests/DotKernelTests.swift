import GGUF
import Kernels
import Testing

/// Generic and AVX2 kernels do the same integer block sums and differ only
/// in float summation order, so they agree to float rounding, measured
/// against the Cauchy–Schwarz bound ‖w‖·‖x‖.
let simdVsGenericTolerance: Float = 1e-5

@Suite struct DotKernelTests {
    @Test(arguments: weightTypes)
    func avx2AgreesWithGeneric(type: GGMLType) throws {
        let act = try #require(MatMul.activationType(for: type))
        for (seed, count) in [(1, 256), (2, 512), (3, 1024)] {
            var rng = TestRNG(seed: UInt64(seed) &* 977 &+ UInt64(type.rawValue))
            let w = rng.floats(count), x = rng.floats(count, scale: 3)
            let wq = try Quantize.quantize(w, to: type)
            var xq = [UInt8](repeating: 0, count: act.rowBytes(count) ?? 0)
            if act == .f32 {
                xq = x.withUnsafeBytes { Array($0) }
            } else {
                x.withUnsafeBufferPointer { xb in
                    xq.withUnsafeMutableBytes { DotKernels.quantizeActivations(act, xb.baseAddress!, count: count, into: $0.baseAddress!, variant: .generic) }
                }
            }
            let (g, a) = wq.withUnsafeBytes { wb in
                xq.withUnsafeBytes { xb in
                    (DotKernels.dot(type, count: count, weights: wb.baseAddress!, activations: xb.baseAddress!, variant: .generic),
                     DotKernels.dot(type, count: count, weights: wb.baseAddress!, activations: xb.baseAddress!, variant: .avx2))
                }
            }
            let bound = norm(w) * norm(x)
            #expect(abs(g - a) <= simdVsGenericTolerance * bound, "\(type) n=\(count): generic \(g) avx2 \(a)")
        }
    }

    /// Q8_K activations are bit-exact between variants; Q8_0/Q8_1 may differ
    /// by one step where ggml's AVX2 path rounds a tie to even.
    @Test(arguments: [GGMLType.q8_0, .q8_1, .q8_K])
    func activationQuantizersAgree(type: GGMLType) throws {
        var rng = TestRNG(seed: 7 &+ UInt64(type.rawValue))
        var x = rng.floats(1024, scale: 2)
        for i in 0..<32 { x[i] = Float(i % 5) - 2 }   // exact ties after scaling
        let bytes = try #require(type.rowBytes(x.count))
        var g = [UInt8](repeating: 0, count: bytes), a = g
        x.withUnsafeBufferPointer { xb in
            g.withUnsafeMutableBytes { DotKernels.quantizeActivations(type, xb.baseAddress!, count: x.count, into: $0.baseAddress!, variant: .generic) }
            a.withUnsafeMutableBytes { DotKernels.quantizeActivations(type, xb.baseAddress!, count: x.count, into: $0.baseAddress!, variant: .avx2) }
        }
        if type == .q8_K {
            #expect(g == a)
        } else {
            let header = type == .q8_0 ? 2 : 4
            for b in 0..<(x.count / 32) {
                let base = b * type.blockBytes
                #expect(g[base..<base + 2] == a[base..<base + 2], "scale of block \(b)")
                for j in 0..<32 {
                    let d = Int(Int8(bitPattern: g[base + header + j])) - Int(Int8(bitPattern: a[base + header + j]))
                    #expect(abs(d) <= 1)
                }
            }
        }
    }
}
