import Foundation
import GGUF
import Kernels
import Testing

/// Prints MatMul throughput; never asserts on time. Opt-in because it takes
/// a few seconds: `AQYL_BENCH=1 swift test --filter ThroughputProbe`.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["AQYL_BENCH"] == "1"))
struct ThroughputProbe {
    /// (type, rows = outputs, columns = inputs, label)
    static let shapes: [(GGMLType, Int, Int, String)] = [
        (.q4_1, 1536, 576, "Q4_1 576->1536 (SmolLM2 ffn_up)"),
        (.q4_1, 576, 1536, "Q4_1 1536->576 (SmolLM2 ffn_down)"),
        (.q4_K, 640, 2048, "Q4_K 2048->640 (Gemma3-270M ffn_down)"),
    ]

    @Test func matmulThroughput() throws {
        print("kernel set: \(DotKernels.kernelSet)")
        for threads in [1, 2] {
            let pool = ThreadPool(threads: threads)
            let n = 20000
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<n { pool.run { _, _ in } }
            let ns = Double(DispatchTime.now().uptimeNanoseconds - start) / Double(n)
            print(String(format: "empty pool.run threads=%d  %6.2f us", threads, ns / 1000))
        }
        for (type, rows, columns, label) in Self.shapes {
            var rng = TestRNG(seed: 5)
            let wq = try Quantize.quantize(rng.floats(rows * columns), to: type)
            let x = rng.floats(64 * columns)
            try wq.withUnsafeBytes { wb in
                let w = try QuantMatrix(type: type, rows: rows, columns: columns, base: wb.baseAddress!)
                for threads in [1, 2] {
                    let pool = ThreadPool(threads: threads)
                    for tokens in [1, 64] {
                        var y = [Float](repeating: 0, count: tokens * rows)
                        let iterations = tokens == 1 ? 2000 : 40
                        for _ in 0..<10 { MatMul.multiply(w, x: x, tokens: tokens, y: &y, pool: pool) }
                        let start = DispatchTime.now().uptimeNanoseconds
                        for _ in 0..<iterations { MatMul.multiply(w, x: x, tokens: tokens, y: &y, pool: pool) }
                        let ns = Double(DispatchTime.now().uptimeNanoseconds - start) / Double(iterations)
                        let gops = 2.0 * Double(rows * columns * tokens) / ns
                        print(String(format: "%@  threads=%d tokens=%2d  %8.1f us/call  %6.1f GOPS", label, threads, tokens, ns / 1000, gops))
                    }
                }
            }
        }
    }
}
