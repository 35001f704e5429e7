import GGUF
import Kernels
import Testing

/// MatMul vs the dequantize-and-dot reference, as ‖y − y_ref‖ / ‖y_ref‖.
/// Float weights see no activation quantization: only summation order.
let floatWeightTolerance: Float = 1e-5
/// 8-bit activations (Q8_0/Q8_1, 32-element blocks): ~0.4% per element,
/// averaging down over a row.
let q8ActivationTolerance: Float = 0.01
/// Q8_K activations (one scale per 256 elements): a coarser step.
let q8KActivationTolerance: Float = 0.02

@Suite struct MatMulTests {
    static let pools = [1, 2, 3].map { ThreadPool(threads: $0) }

    @Test(arguments: weightTypes)
    func matchesReference(type: GGMLType) throws {
        let rows = 22, columns = 512
        var rng = TestRNG(seed: 1234 &+ UInt64(type.rawValue))
        let wq = try Quantize.quantize(rng.floats(rows * columns), to: type)
        let x = rng.floats(7 * columns)
        let tol: Float = switch MatMul.activationType(for: type) {
        case .f32?: floatWeightTolerance
        case .q8_K?: q8KActivationTolerance
        default: q8ActivationTolerance
        }
        try wq.withUnsafeBytes { wb in
            let w = try QuantMatrix(type: type, rows: rows, columns: columns, base: wb.baseAddress!)
            for tokens in [1, 7] {
                var ref = [Float](repeating: 0, count: tokens * rows)
                MatMul.reference(w, x: x, tokens: tokens, y: &ref)
                var first: [Float]? = nil
                for pool in Self.pools {
                    var y = [Float](repeating: .nan, count: tokens * rows)
                    MatMul.multiply(w, x: x, tokens: tokens, y: &y, pool: pool)
                    let err = relativeError(y, ref)
                    #expect(err <= tol, "\(type) tokens=\(tokens) threads=\(pool.threads): error \(err)")
                    // Row splitting must not change any result.
                    if let first { #expect(y == first, "\(type) differs across thread counts") } else { first = y }
                }
            }
        }
    }

    @Test func rejectsBadShapes() {
        let bytes = [UInt8](repeating: 0, count: 1024)
        bytes.withUnsafeBytes { b in
            #expect(throws: KernelError.badRowLength(type: .q4_0, columns: 33)) {
                _ = try QuantMatrix(type: .q4_0, rows: 1, columns: 33, base: b.baseAddress!)
            }
            #expect(throws: KernelError.unsupportedType(.q2_K)) {
                _ = try QuantMatrix(type: .q2_K, rows: 1, columns: 256, base: b.baseAddress!)
            }
        }
    }

    @Test func threadPoolRunsEveryWorkerOnce() {
        let pool = ThreadPool(threads: 3)
        for _ in 0..<200 {
            var hits = [Int](repeating: 0, count: pool.threads)
            hits.withUnsafeMutableBufferPointer { h in
                pool.run { worker, count in
                    precondition(count == pool.threads)
                    h[worker] += 1
                }
            }
            #expect(hits == [Int](repeating: 1, count: pool.threads))
        }
    }
}
