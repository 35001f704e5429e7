import CKernels
import GGUF
import Kernels
import Testing

/// The fast (8-row interleaved) matmul: every output has the bits of
/// llama.cpp's AVX2 vec_dot for its row (ours, dot_avx2.c, itself checked
/// against libggml), the AVX2 and scalar interleaved kernels agree bit for
/// bit, and MatMul takes the interleaved path exactly where it should.
@Suite struct InterleavedMatMulTests {
    static let types: [GGMLType] = [.q4_0, .q4_1, .q5_0, .q8_0]

    /// Quantized random weights (rows × columns) and their interleaved copy.
    struct Case {
        var type: GGMLType
        var rows: Int, columns: Int
        var weights: [UInt8]
        var x: [Float]
    }

    static func make(_ type: GGMLType, rows: Int, columns: Int, tokens: Int, seed: UInt64) throws -> Case {
        var rng = TestRNG(seed: seed)
        // Mixed magnitudes per row so scales differ between the 8 interleaved rows.
        var w = rng.floats(rows * columns)
        for r in 0..<rows { for c in 0..<columns { w[r * columns + c] *= Float(1 + r % 5) } }
        return Case(type: type, rows: rows, columns: columns, weights: try Quantize.quantize(w, to: type),
                     x: rng.floats(tokens * columns))
    }

    /// Quantized activations for `tokens` rows of `x`, with the AVX2 or the scalar quantizer.
    static func activations(_ x: [Float], columns: Int, tokens: Int, generic: Bool) -> [UInt8] {
        let stride = ck_q8s_row_bytes(Int32(columns))
        var a = [UInt8](repeating: 0, count: stride * tokens)
        x.withUnsafeBufferPointer { xb in
            a.withUnsafeMutableBytes { ab in
                for t in 0..<tokens {
                    let src = xb.baseAddress! + t * columns, dst = ab.baseAddress! + t * stride
                    if generic { ck_quantize_q8s_generic(src, dst, Int32(columns)) } else { ck_quantize_q8s(src, dst, Int32(columns)) }
                }
            }
        }
        return a
    }

    /// Lookups on an interleaved matrix (the tied embedding) read its copy:
    /// each row unpacks to exactly its source bytes, and `dequantizeRow`
    /// gives the source row's floats, for the copied rows and the plain tail.
    @Test(arguments: types)
    func rowsUnpackToTheirSourceBytes(type: GGMLType) throws {
        let rows = 21, columns = 96   // 16 interleaved rows, a tail of 5
        let c = try Self.make(type, rows: rows, columns: columns, tokens: 0, seed: 5 &+ UInt64(type.rawValue))
        let typeID = Int32(type.rawValue)
        let rowBytes = try #require(type.rowBytes(columns))
        try c.weights.withUnsafeBytes { src in
            let m = try QuantMatrix(type: type, rows: rows, columns: columns, base: src.baseAddress!, packing: .interleaved)
            let iw = try #require(m.interleaved)
            #expect(iw.rows == 16)
            var packed = [UInt8](repeating: 0, count: ck_r8_bytes(typeID, 16, Int32(columns)))
            packed.withUnsafeMutableBytes { dst in
                _ = ck_r8_repack(typeID, src.baseAddress!, rowBytes, dst.baseAddress!, 16, Int32(columns))
            }
            for r in 0..<rows {
                if r < 16 {
                    var row = [UInt8](repeating: 0xAA, count: rowBytes)
                    #expect(ck_r8_unpack_row(typeID, packed, Int32(columns), Int32(r), &row) == 0)
                    #expect(row == Array(c.weights[(r * rowBytes)..<((r + 1) * rowBytes)]), "\(type) row \(r) bytes")
                }
                var got = [Float](repeating: .nan, count: columns), want = got
                m.dequantizeRow(r, into: &got)
                Dequantize.row(type, src.baseAddress! + r * rowBytes, &want, count: columns)
                #expect(got.map(\.bitPattern) == want.map(\.bitPattern), "\(type) row \(r) floats")
            }
        }
    }

    /// 3 tokens take the per-token-pair kernels; 11 the prefill forms (weights unpacked
    /// once per group, or per group pair on AVX-512: pairs of 2 tokens and a single).
    @Test(arguments: types, [3, 11])
    func simdKernelsGiveTheScalarBits(type: GGMLType, tokens: Int) throws {
        guard ck_has_avx2() != 0 else {
            print("skipped: the AVX2 kernels are not in use here (no AVX2, or AQYL_KERNELS=generic); only the scalar interleaved kernels run")
            return
        }
        let rows = 48, columns = 320
        let c = try Self.make(type, rows: rows, columns: columns, tokens: tokens, seed: 77 &+ UInt64(type.rawValue))
        let typeID = Int32(type.rawValue)
        let a = Self.activations(c.x, columns: columns, tokens: tokens, generic: false)
        #expect(a == Self.activations(c.x, columns: columns, tokens: tokens, generic: true), "activation quantizers differ")
        var packed = [UInt8](repeating: 0, count: ck_r8_bytes(typeID, Int32(rows), Int32(columns)))
        let rowBytes = try #require(type.rowBytes(columns))
        c.weights.withUnsafeBytes { src in
            packed.withUnsafeMutableBytes { dst in
                _ = ck_r8_repack(typeID, src.baseAddress!, rowBytes, dst.baseAddress!, Int32(rows), Int32(columns))
            }
        }
        var fast = [Float](repeating: .nan, count: tokens * rows), scalar = fast, avx2 = fast, avx512 = fast
        var avx512Ran = false
        packed.withUnsafeBytes { p in
            a.withUnsafeBytes { ab in
                ck_r8_gemm_rows(typeID, p.baseAddress!, Int32(columns), 0, Int32(rows), ab.baseAddress!, Int32(tokens), &fast, rows)
                ck_r8_gemm_rows_generic(typeID, p.baseAddress!, Int32(columns), 0, Int32(rows), ab.baseAddress!, Int32(tokens), &scalar, rows)
                _ = ck_r8_gemm_rows_avx2(typeID, p.baseAddress!, Int32(columns), 0, Int32(rows), ab.baseAddress!, Int32(tokens), &avx2, rows)
                avx512Ran = ck_r8_gemm_rows_avx512(typeID, p.baseAddress!, Int32(columns), 0, Int32(rows), ab.baseAddress!, Int32(tokens), &avx512, rows) == 0
            }
        }
        #expect(avx2.map(\.bitPattern) == scalar.map(\.bitPattern), "\(type): AVX2 and scalar interleaved kernels differ")
        #expect(fast.map(\.bitPattern) == scalar.map(\.bitPattern), "\(type): the dispatched (\(DotKernels.kernelSet)) and scalar interleaved kernels differ")
        if avx512Ran {
            #expect(avx512.map(\.bitPattern) == scalar.map(\.bitPattern), "\(type): AVX-512 VNNI and scalar interleaved kernels differ")
        } else {
            print("skipped (AVX-512 part): this CPU lacks AVX-512 F/BW/VL/DQ+VNNI, or AQYL_KERNELS=avx2; the AVX-512 interleaved kernels do not run here")
        }

        // Each output is vec_dot's: same activation values, same float steps.
        let act = try #require(MatMul.activationType(for: type))
        let aStride = try #require(act.rowBytes(columns))
        var llamaActs = [UInt8](repeating: 0, count: aStride * tokens)
        c.x.withUnsafeBufferPointer { xb in
            llamaActs.withUnsafeMutableBytes { ab in
                for t in 0..<tokens {
                    ck_quantize_act(Int32(act.rawValue), xb.baseAddress! + t * columns, ab.baseAddress! + t * aStride, Int32(columns))
                }
            }
        }
        var mismatches = 0
        c.weights.withUnsafeBytes { wb in
            llamaActs.withUnsafeBytes { ab in
                for t in 0..<tokens {
                    for r in 0..<rows {
                        let v = ck_vec_dot_avx2(typeID, Int32(columns), wb.baseAddress! + r * rowBytes, ab.baseAddress! + t * aStride)
                        if v.bitPattern != fast[t * rows + r].bitPattern { mismatches += 1 }
                    }
                }
            }
        }
        #expect(mismatches == 0, "\(type): \(mismatches) of \(tokens * rows) outputs differ from vec_dot")
    }

    @Test(arguments: types)
    func matchesReference(type: GGMLType) throws {
        let rows = 40, columns = 256
        let c = try Self.make(type, rows: rows, columns: columns, tokens: 7, seed: 99 &+ UInt64(type.rawValue))
        try c.weights.withUnsafeBytes { wb in
            let w = try QuantMatrix(type: type, rows: rows, columns: columns, base: wb.baseAddress!, packing: .interleaved)
            #expect(w.interleaved != nil)
            #expect(w.interleaved?.byteCount == c.weights.count, "the interleaved copy is as large as the source")
            for tokens in [1, 2, 5, 7] {
                var ref = [Float](repeating: 0, count: tokens * rows)
                MatMul.reference(w, x: c.x, tokens: tokens, y: &ref)
                var first: [Float]?
                for threads in [1, 2, 3] {
                    var y = [Float](repeating: .nan, count: tokens * rows)
                    MatMul.multiply(w, x: c.x, tokens: tokens, y: &y, pool: ThreadPool(threads: threads))
                    let err = relativeError(y, ref)
                    #expect(err <= q8ActivationTolerance, "\(type) tokens=\(tokens) threads=\(threads): error \(err)")
                    if let first { #expect(y == first, "\(type): thread count changed a result") } else { first = y }
                }
                // One token's result does not depend on the batch it rides in.
                if tokens > 1 {
                    var single = [Float](repeating: .nan, count: rows)
                    c.x.withUnsafeBufferPointer { xb in
                        MatMul.multiply(w, x: xb.baseAddress! + (tokens - 1) * columns, tokens: 1, y: &single, pool: ThreadPool(threads: 1))
                    }
                    #expect(Array(first![((tokens - 1) * rows)...]) == single)
                }
            }
        }
    }

    /// The layout only exists for rows % 8 == 0 and the four block types;
    /// anything else stays on the vec_dot (or Q4_K repack) path and is still right.
    @Test func fallsBackWhereNoInterleavedKernelExists() throws {
        for (type, rows) in [(GGMLType.q8_0, 7), (.q4_1, 7), (.q6_K, 16), (.f16, 8)] {
            let c = try Self.make(type, rows: rows, columns: 256, tokens: 3, seed: 5)
            try c.weights.withUnsafeBytes { wb in
                let w = try QuantMatrix(type: type, rows: rows, columns: 256, base: wb.baseAddress!, packing: .interleaved)
                #expect(w.interleaved == nil, "\(type) rows \(rows)")
                var ref = [Float](repeating: 0, count: 3 * rows), y = ref
                MatMul.reference(w, x: c.x, tokens: 3, y: &ref)
                MatMul.multiply(w, x: c.x, tokens: 3, y: &y, pool: ThreadPool(threads: 2))
                #expect(relativeError(y, ref) <= q8KActivationTolerance)
            }
        }
    }

    /// Rows past the last whole group of 8 (a vocabulary grown by `aqyl vocab extend`) take
    /// vec_dot on the source rows; every output keeps the plain path's bits, alone and in the
    /// batched q/k/v-style call.
    @Test(arguments: types)
    func trailingRowsKeepTheVecDotBits(type: GGMLType) throws {
        for rows in [12, 43, 65] {
            let columns = 256
            let c = try Self.make(type, rows: rows, columns: columns, tokens: 5, seed: 17 &+ UInt64(rows))
            try c.weights.withUnsafeBytes { wb in
                let fast = try QuantMatrix(type: type, rows: rows, columns: columns, base: wb.baseAddress!, packing: .interleaved)
                let plain = try QuantMatrix(type: type, rows: rows, columns: columns, base: wb.baseAddress!, packing: .plain)
                #expect(fast.interleaved?.rows == rows / 8 * 8)
                for tokens in [1, 2, 5] {
                    var y = [Float](repeating: .nan, count: tokens * rows), p = y
                    MatMul.multiply(fast, x: c.x, tokens: tokens, y: &y, pool: ThreadPool(threads: 2))
                    MatMul.multiply(plain, x: c.x, tokens: tokens, y: &p, pool: ThreadPool(threads: 1))
                    #expect(y == p, "\(type) rows \(rows) tokens \(tokens)")
                    // Several matrices at once fall back to one by one and give the same.
                    var a = [Float](repeating: .nan, count: tokens * rows), b = a
                    a.withUnsafeMutableBufferPointer { ab in
                        b.withUnsafeMutableBufferPointer { bb in
                            c.x.withUnsafeBufferPointer { xb in
                                MatMul.multiply([fast, fast], x: xb.baseAddress!, tokens: tokens, outputs: [ab.baseAddress!, bb.baseAddress!],
                                                pool: ThreadPool(threads: 2))
                            }
                        }
                    }
                    #expect(a == p && b == p)
                }
            }
        }
    }

    /// Extreme blocks: all-zero activations, a single huge value, the most
    /// negative weights; the int16 sums in the kernels must not saturate.
    @Test(arguments: types)
    func extremeValuesDoNotSaturate(type: GGMLType) throws {
        let rows = 8, columns = 64
        var w = [Float](repeating: -1, count: rows * columns)
        for i in stride(from: 0, to: w.count, by: 3) { w[i] = 1 }
        let wq = try Quantize.quantize(w, to: type)
        var x = [Float](repeating: 0, count: 3 * columns)
        for c in 0..<columns { x[columns + c] = 100; x[2 * columns + c] = c % 2 == 0 ? -7 : 7 }
        try wq.withUnsafeBytes { wb in
            let m = try QuantMatrix(type: type, rows: rows, columns: columns, base: wb.baseAddress!, packing: .interleaved)
            var ref = [Float](repeating: 0, count: 3 * rows), y = ref
            MatMul.reference(m, x: x, tokens: 3, y: &ref)
            MatMul.multiply(m, x: x, tokens: 3, y: &y, pool: ThreadPool(threads: 1))
            for i in 0..<rows { #expect(y[i] == 0) }
            #expect(relativeError(y, ref) <= 1e-3, "\(type): \(y) vs \(ref)")
        }
    }
}

/// Q8_0 by block sums (training's backward product): the AVX2 and AVX-512
/// kernels give the scalar form's bits (with rows long enough for several
/// 256-block passes), and all are close to vec_dot's result.
@Suite struct BlockSumMatMulTests {
    @Test(arguments: [(32, 64, 1), (48, 96, 5), (64, 2048, 9), (32, 9216, 3)])
    func formsAgreeAndStayCloseToVecDot(shape: (Int, Int, Int)) throws {
        let (rows, columns, tokens) = shape
        let c = try InterleavedMatMulTests.make(.q8_0, rows: rows, columns: columns, tokens: tokens, seed: UInt64(rows + columns))
        let typeID = Int32(GGMLType.q8_0.rawValue)
        let rowBytes = try #require(GGMLType.q8_0.rowBytes(columns))
        var packed = [UInt8](repeating: 0, count: ck_r8_bytes(typeID, Int32(rows), Int32(columns)))
        c.weights.withUnsafeBytes { src in
            packed.withUnsafeMutableBytes { dst in
                _ = ck_r8_repack(typeID, src.baseAddress!, rowBytes, dst.baseAddress!, Int32(rows), Int32(columns))
            }
        }
        let a = InterleavedMatMulTests.activations(c.x, columns: columns, tokens: tokens, generic: true)
        var scalar = [Float](repeating: 0, count: rows * tokens), simd = scalar, exact = scalar
        #expect(ck_r8_q8_0_blocksum(0, packed, Int32(columns), 0, Int32(rows), a, Int32(tokens), &scalar, rows) == 0)
        ck_r8_gemm_rows_generic(typeID, packed, Int32(columns), 0, Int32(rows), a, Int32(tokens), &exact, rows)
        let scale = exact.map { abs($0) }.max() ?? 1
        for i in 0..<exact.count { #expect(abs(scalar[i] - exact[i]) <= 1e-5 * scale, "output \(i)") }
        for (form, name) in [(1, "AVX2"), (2, "AVX-512")] {
            simd = [Float](repeating: -1, count: rows * tokens)
            if ck_r8_q8_0_blocksum(Int32(form), packed, Int32(columns), 0, Int32(rows), a, Int32(tokens), &simd, rows) == 0 {
                #expect(simd.map(\.bitPattern) == scalar.map(\.bitPattern), "\(name)")
            } else {
                print("skipped (\(name) block sums): this CPU lacks it, or AQYL_KERNELS turned it off")
            }
        }
        // Rows not in 16-row pairs are refused, not half computed.
        #expect(ck_r8_q8_0_blocksum(0, packed, Int32(columns), 8, Int32(rows), a, Int32(tokens), &scalar, rows) == -1)
    }
}
