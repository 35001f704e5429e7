import Testing
import Kernels

@Suite struct RoundToHalfTests {
    /// The F16C path must round exactly like IEEE round-to-nearest-even (Swift's Float16).
    @Test func matchesFloat16Conversion() {
        var values: [Float] = [0, -0.0, 1, 1.0009765625, 1.00048828125, 65504, 70000, 1e-8, -3.14159, 6.1e-5]
        var state: UInt32 = 12345
        for _ in 0..<1000 {
            state = state &* 1_664_525 &+ 1_013_904_223
            values.append(Float(bitPattern: (state & 0x3FFF_FFFF) | ((state & 1) << 31)))
        }
        var rounded = values
        rounded.withUnsafeMutableBufferPointer { VectorOps.roundToHalf($0.baseAddress!, count: $0.count) }
        for (v, r) in zip(values, rounded) where v.isFinite {
            let expected = Float(Float16(v))
            #expect(r == expected || (r.isNaN && expected.isNaN), "\(v) -> \(r), expected \(expected)")
        }
    }
}
