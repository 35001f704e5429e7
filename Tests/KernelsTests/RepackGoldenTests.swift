import CKernels
import Foundation
import GGUF
import Kernels
import Testing

/// llama.cpp's repacked Q4_K path (ggml-cpu/repack.cpp, q4_K_8x8_q8_K), from
/// the "repack_q4_K" entry of Tests/Fixtures/kernels/goldens.json: 16 Q4_K
/// rows of 512, activations for 1, 4, 5 and 9 tokens, ggml's quantized
/// activations (quantize_mat for 4-row groups, quantize_row_q8_K for the
/// rest) and ggml's outputs (gemm for the groups, gemv for the rest).
/// Only on AVX2 machines, where llama.cpp repacks.
@Suite struct RepackGoldenTests {
    struct Case: Decodable { let tokens: Int; let x: String; let act: String; let out: String }
    struct Repack: Decodable { let n: Int; let rows: Int; let w: String; let cases: [Case] }
    struct File: Decodable { let repack_q4_K: Repack }

    static let golden: Repack = {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("Tests/Fixtures").path) {
            dir = dir.deletingLastPathComponent()
        }
        let url = dir.appendingPathComponent("Tests/Fixtures/kernels/goldens.json")
        return try! JSONDecoder().decode(File.self, from: Data(contentsOf: url)).repack_q4_K
    }()

    var available: Bool { ck_repack_available() != 0 }

    /// Activation quantization (quantize_mat + quantize_row_q8_K), byte for byte.
    @Test func activationQuantization() {
        guard available else { return }
        let g = Self.golden
        for c in g.cases {
            let x = GGMLGoldenTests.floats(c.x)
            let want = GGMLGoldenTests.bytes(c.act)
            var got = [UInt8](repeating: 0, count: want.count)
            ck_repack_quantize_act(x, &got, Int32(c.tokens), Int32(g.n))
            #expect(got == want, "tokens=\(c.tokens)")
            // the generic 4-row quantizer gives the same bytes on these inputs
            if c.tokens >= 4 {
                var gen = [UInt8](repeating: 0, count: 4 * 292 * (g.n / 256))
                ck_quantize_mat_q8_K_4x8_generic(x, &gen, Int64(g.n))
                #expect(Array(want.prefix(gen.count)) == gen, "generic quantize_mat tokens=\(c.tokens)")
            }
        }
    }

    /// gemv / gemm on ggml's activations give ggml's x86 bits (AVX2; generic: close).
    @Test func gemvGemm() {
        guard available else { return }
        let g = Self.golden
        let w = GGMLGoldenTests.bytes(g.w)
        var packed = [UInt8](repeating: 0, count: w.count)
        #expect(ck_repack_q4_K_8x8(w, &packed, Int32(g.rows), Int32(g.n)) == 0)
        let aStride = 292 * (g.n / 256)
        for c in g.cases {
            let act = GGMLGoldenTests.bytes(c.act)
            let want = GGMLGoldenTests.floats(c.out).map(\.bitPattern)
            for generic in [false, true] {
                var y = [Float](repeating: .nan, count: c.tokens * g.rows)
                let g4 = c.tokens - c.tokens % 4
                act.withUnsafeBytes { a in
                    y.withUnsafeMutableBufferPointer { yb in
                        let ys = yb.baseAddress!
                        if g4 > 0 {
                            (generic ? ck_gemm_q4_K_8x8_q8_K_generic : ck_gemm_q4_K_8x8_q8_K)(
                                Int32(g.n), ys, g.rows, packed, a.baseAddress!, Int32(g4), Int32(g.rows))
                        }
                        for t in g4..<c.tokens {
                            (generic ? ck_gemv_q4_K_8x8_q8_K_generic : ck_gemv_q4_K_8x8_q8_K)(
                                Int32(g.n), ys + t * g.rows, g.rows, packed, a.baseAddress! + t * aStride, 1, Int32(g.rows))
                        }
                    }
                }
                if generic {
                    // ggml's _generic kernels sum in another order than its AVX2 ones
                    // (the harness checks ours against them); here: close to the x86 bits.
                    let wf = want.map { Float(bitPattern: $0) }
                    let scale = wf.map { abs($0) }.max() ?? 1
                    #expect(zip(y, wf).allSatisfy { abs($0 - $1) <= 1e-5 * scale }, "tokens=\(c.tokens) generic")
                } else {
                    #expect(y.map(\.bitPattern) == want, "tokens=\(c.tokens)")
                }
            }
        }
    }

    /// Aqyl's lanes gemm (repack_gemm_lanes.c) and its scalar reference give
    /// ggml's AVX2 gemm bits on ggml's activations.
    @Test func lanesGemmGivesGGMLBits() {
        guard available else { return }
        let g = Self.golden
        let w = GGMLGoldenTests.bytes(g.w)
        var packed = [UInt8](repeating: 0, count: w.count)
        #expect(ck_repack_q4_K_8x8(w, &packed, Int32(g.rows), Int32(g.n)) == 0)
        for c in g.cases where c.tokens >= 4 {
            let act = GGMLGoldenTests.bytes(c.act)
            let g4 = c.tokens - c.tokens % 4
            let want = Array(GGMLGoldenTests.floats(c.out).map(\.bitPattern).prefix(g4 * g.rows))
            var y = [Float](repeating: .nan, count: g4 * g.rows), r = y
            #expect(ck_gemm_q4_K_8x8_q8_K_lanes_avx2(Int32(g.n), &y, g.rows, packed, act, Int32(g4), Int32(g.rows)) == 0)
            ck_gemm_q4_K_8x8_q8_K_lanes_generic(Int32(g.n), &r, g.rows, packed, act, Int32(g4), Int32(g.rows))
            #expect(y.map(\.bitPattern) == want, "tokens=\(c.tokens)")
            #expect(r.map(\.bitPattern) == want, "tokens=\(c.tokens) scalar reference")
        }
    }

    /// The same on random and extreme blocks (all-ones nibbles and 6-bit
    /// scales against -128 activations: the int16 sums' worst case), 4 to 12
    /// tokens, against ggml's AVX2 gemm itself; shapes it does not take are refused.
    @Test func lanesGemmMatchesGGMLOnRandomBlocks() {
        guard available else { return }
        let n = 512, rows = 16
        for (seed, extreme) in [(1, false), (2, true)] {
            var rng = TestRNG(seed: UInt64(seed))
            var w = rng.bytes(rows * (n / 256) * 144)
            for b in 0..<(w.count / 144) {   // finite fp16 d, dmin in [2^-7, 2^-6)
                w[b * 144] = UInt8(truncatingIfNeeded: rng.next()); w[b * 144 + 1] = 0x20
                w[b * 144 + 2] = UInt8(truncatingIfNeeded: rng.next()); w[b * 144 + 3] = 0x20
                if extreme { for i in 4..<144 { w[b * 144 + i] = 0xFF } }
            }
            var packed = [UInt8](repeating: 0, count: w.count)
            #expect(ck_repack_q4_K_8x8(w, &packed, Int32(rows), Int32(n)) == 0)
            for tokens in [4, 8, 12] {
                let x: [Float] = extreme ? (0..<(tokens * n)).map { $0 % 5 == 0 ? 0.5 : -1 } : rng.floats(tokens * n)
                var act = [UInt8](repeating: 0, count: tokens * 292 * (n / 256))
                ck_repack_quantize_act(x, &act, Int32(tokens), Int32(n))
                var want = [Float](repeating: .nan, count: tokens * rows), y = want, r = want
                ck_gemm_q4_K_8x8_q8_K(Int32(n), &want, rows, packed, act, Int32(tokens), Int32(rows))
                #expect(ck_gemm_q4_K_8x8_q8_K_lanes_avx2(Int32(n), &y, rows, packed, act, Int32(tokens), Int32(rows)) == 0)
                ck_gemm_q4_K_8x8_q8_K_lanes_generic(Int32(n), &r, rows, packed, act, Int32(tokens), Int32(rows))
                #expect(y.map(\.bitPattern) == want.map(\.bitPattern), "seed \(seed) tokens \(tokens)")
                #expect(r.map(\.bitPattern) == want.map(\.bitPattern), "seed \(seed) tokens \(tokens) scalar reference")
            }
            var y = [Float](repeating: 0, count: 6 * rows)
            #expect(ck_gemm_q4_K_8x8_q8_K_lanes_avx2(Int32(n), &y, rows, packed, packed, 6, Int32(rows)) == -1)
            #expect(ck_gemm_q4_K_8x8_q8_K_lanes_avx2(Int32(n + 8), &y, rows, packed, packed, 4, Int32(rows)) == -1)
        }
    }

    /// MatMul.multiply on an eligible Q4_K matrix = ggml's forward_mul_mat
    /// composition, for 1, 4, 5, 9 tokens and 1 or 3 threads.
    @Test func matMulMatchesGGMLRepacked() throws {
        guard available else { return }
        let g = Self.golden
        let w = GGMLGoldenTests.bytes(g.w)
        let pools = [ThreadPool(threads: 1), ThreadPool(threads: 3)]
        try w.withUnsafeBytes { wb in
            let m = try QuantMatrix(type: .q4_K, rows: g.rows, columns: g.n, base: wb.baseAddress!)
            for c in g.cases {
                let x = GGMLGoldenTests.floats(c.x)
                let want = GGMLGoldenTests.floats(c.out).map(\.bitPattern)
                for pool in pools {
                    var y = [Float](repeating: .nan, count: c.tokens * g.rows)
                    MatMul.multiply(m, x: x, tokens: c.tokens, y: &y, pool: pool)
                    #expect(y.map(\.bitPattern) == want, "tokens=\(c.tokens) threads=\(pool.threads)")
                }
            }
        }
    }
}
