import CKernels
import Foundation
import GGUF
import Kernels
import Testing

/// llama.cpp's tiled K-quant matmul (ggml-cpu/tiled), from the "tiled" entry of
/// Tests/Fixtures/kernels/goldens.json: Q6_K, Q5_K and Q4_K rows, activations
/// for several token counts, ggml's Q8_K activations, and the output of
/// ggml_mul_mat run by ggml itself (tiled for 8+ tokens on its x86 build,
/// vec_dot below 8).
@Suite struct TiledGoldenTests {
    struct Case: Decodable { let tokens: Int; let x: String; let act: String; let out: String }
    struct Entry: Decodable { let type: String; let n: Int; let rows: Int; let w: String; let cases: [Case] }
    struct File: Decodable { let tiled: [Entry] }

    static let golden: [Entry] = {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("Tests/Fixtures").path) {
            dir = dir.deletingLastPathComponent()
        }
        let url = dir.appendingPathComponent("Tests/Fixtures/kernels/goldens.json")
        return try! JSONDecoder().decode(File.self, from: Data(contentsOf: url)).tiled
    }()

    static func ckType(_ name: String) -> Int32 {
        switch name { case "Q4_K": 12; case "Q5_K": 13; default: 14 }
    }

    static func ggmlType(_ name: String) -> GGMLType {
        switch name { case "Q4_K": .q4_K; case "Q5_K": .q5_K; default: .q6_K }
    }

    /// The scalar reference gives llama.cpp's tiled bits on any machine, and the
    /// dispatched tiled kernel does too, and so do the AVX2 and AVX-512 forms
    /// where this CPU runs them (the AVX-512 form takes rows 16 at a time, the
    /// rest in AVX2: these goldens have 24, 16 and 20 rows).
    @Test func scalarReferenceAndKernel() {
        var avx512Ran = false
        for e in Self.golden {
            let w = GGMLGoldenTests.bytes(e.w)
            let t = Self.ckType(e.type)
            let rowBytes = w.count / e.rows, aStride = 292 * (e.n / 256)
            for c in e.cases where c.tokens >= 8 {
                let act = GGMLGoldenTests.bytes(c.act)
                let want = GGMLGoldenTests.floats(c.out).map(\.bitPattern)
                for generic in [true, false] {
                    var y = [Float](repeating: .nan, count: c.tokens * e.rows)
                    (generic ? ck_tiled_gemm_rows_generic : ck_tiled_gemm_rows)(
                        t, w, rowBytes, 0, Int32(e.rows), act, aStride, Int32(c.tokens), Int32(e.n), &y, e.rows)
                    #expect(y.map(\.bitPattern) == want, "\(e.type) tokens=\(c.tokens) generic=\(generic)")
                }
                for (name, form) in [("AVX2", ck_tiled_gemm_rows_avx2), ("AVX-512", ck_tiled_gemm_rows_avx512)] {
                    var y = [Float](repeating: .nan, count: c.tokens * e.rows)
                    guard form(t, w, rowBytes, 0, Int32(e.rows), act, aStride, Int32(c.tokens), Int32(e.n), &y, e.rows) == 0 else { continue }
                    if name == "AVX-512" { avx512Ran = true }
                    #expect(y.map(\.bitPattern) == want, "\(e.type) tokens=\(c.tokens) \(name)")
                }
            }
        }
        if !avx512Ran {
            print("skipped (AVX-512 part): this CPU lacks AVX-512 F/BW/VL/DQ+VNNI, or AQYL_KERNELS=avx2; the AVX-512 tiled kernel does not run here")
        }
    }

    /// The AVX2 form (8-row groups in the lanes form, the rest row-wise) gives
    /// the scalar reference's bits on random blocks and on extreme ones: all
    /// codes at their maximum, scales at ±127/-128 or 63, activations at -128
    /// — the int16 sums' worst case. 20 rows: two lane groups and 4 rows.
    @Test func avx2FormOnRandomAndExtremeBlocks() {
        for (name, t, bytes) in [("Q4_K", Int32(12), 144), ("Q5_K", Int32(13), 176), ("Q6_K", Int32(14), 210)] {
            for extreme in [false, true] {
                var rng = TestRNG(seed: UInt64(t) * 31 + (extreme ? 1 : 0))
                let n = 512, rows = 20, rowBytes = (n / 256) * bytes
                var w = rng.bytes(rows * rowBytes)
                for b in 0..<(w.count / bytes) {
                    let o = b * bytes
                    if extreme { for i in 0..<bytes { w[o + i] = 0xFF } }
                    if extreme && t == 14 { for s in 0..<16 { w[o + 192 + s] = s % 2 == 0 ? 0x80 : 0x7F } }
                    // finite fp16 d (and dmin) in [2^-7, 2^-6)
                    let d = t == 14 ? o + 208 : o
                    w[d] = UInt8(truncatingIfNeeded: rng.next()); w[d + 1] = 0x20
                    if t != 14 { w[o + 2] = UInt8(truncatingIfNeeded: rng.next()); w[o + 3] = 0x20 }
                }
                for tokens in [8, 9] {
                    let x: [Float] = extreme ? (0..<(tokens * n)).map { $0 % 5 == 0 ? 0.5 : -1 } : rng.floats(tokens * n)
                    let aStride = 292 * (n / 256)
                    var act = [UInt8](repeating: 0, count: tokens * aStride)
                    for tk in 0..<tokens {
                        x.withUnsafeBufferPointer { xb in
                            act.withUnsafeMutableBytes { ab in
                                ck_quantize_act(15, xb.baseAddress! + tk * n, ab.baseAddress! + tk * aStride, Int32(n))
                            }
                        }
                    }
                    var want = [Float](repeating: .nan, count: tokens * rows), y = want
                    ck_tiled_gemm_rows_generic(t, w, rowBytes, 0, Int32(rows), act, aStride, Int32(tokens), Int32(n), &want, rows)
                    guard ck_tiled_gemm_rows_avx2(t, w, rowBytes, 0, Int32(rows), act, aStride, Int32(tokens), Int32(n), &y, rows) == 0 else {
                        print("skipped (\(name) AVX2 form): this CPU has no AVX2")
                        continue
                    }
                    #expect(want.allSatisfy { $0.isFinite })
                    #expect(y.map(\.bitPattern) == want.map(\.bitPattern), "\(name) extreme \(extreme) tokens \(tokens)")
                }
            }
        }
    }

    /// ck_gemm_rows and MatMul.multiply (all thread counts; none of these is repacked)
    /// give ggml_mul_mat's bits: tiled for 8+ tokens, vec_dot below. Only where
    /// llama.cpp's x86 build would run (AVX2 kernel set, AQYL_TILED not 0).
    @Test func gemmRowsAndMatMul() throws {
        guard ck_tiled_enabled() != 0 else { return }
        let pools = [1, 2, 3].map { ThreadPool(threads: $0) }
        for e in Self.golden {
            let w = GGMLGoldenTests.bytes(e.w)
            let t = Self.ckType(e.type)
            let rowBytes = w.count / e.rows, aStride = 292 * (e.n / 256)
            for c in e.cases {
                #expect((ck_tiled_active(t, Int32(c.tokens)) != 0) == (c.tokens >= 8))
                let act = GGMLGoldenTests.bytes(c.act)
                let want = GGMLGoldenTests.floats(c.out).map(\.bitPattern)
                var y = [Float](repeating: .nan, count: c.tokens * e.rows)
                ck_gemm_rows(t, w, rowBytes, 0, Int32(e.rows), act, aStride, Int32(c.tokens), Int32(e.n), &y, e.rows)
                #expect(y.map(\.bitPattern) == want, "ck_gemm_rows \(e.type) tokens=\(c.tokens)")
                let x = GGMLGoldenTests.floats(c.x)
                try w.withUnsafeBytes { wb in
                    let m = try QuantMatrix(type: Self.ggmlType(e.type), rows: e.rows, columns: e.n,
                                            base: wb.baseAddress!)
                    for pool in pools {
                        var y = [Float](repeating: .nan, count: c.tokens * e.rows)
                        MatMul.multiply(m, x: x, tokens: c.tokens, y: &y, pool: pool)
                        #expect(y.map(\.bitPattern) == want,
                                "MatMul \(e.type) tokens=\(c.tokens) threads=\(pool.threads)")
                    }
                    // allowRepack: false is llama.cpp with repacking and tiled off: vec_dot per token
                    let plain = try QuantMatrix(type: Self.ggmlType(e.type), rows: e.rows, columns: e.n,
                                                base: wb.baseAddress!, allowRepack: false)
                    var yp = [Float](repeating: .nan, count: c.tokens * e.rows)
                    MatMul.multiply(plain, x: x, tokens: c.tokens, y: &yp, pool: pools[1])
                    var yv = [Float](repeating: .nan, count: c.tokens * e.rows)
                    ck_gemm_rows_ex(t, w, rowBytes, 0, Int32(e.rows), act, aStride, Int32(c.tokens), Int32(e.n), &yv, e.rows, 0)
                    #expect(yp == yv, "allowRepack: false \(e.type) tokens=\(c.tokens)")
                }
            }
        }
    }
}
