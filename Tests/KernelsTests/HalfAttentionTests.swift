import Kernels
import Testing

/// An F16 KV cache holds K and V as halves; attention over it must give the
/// bits it gives over the same values as floats (they are fp16 values either
/// way, so the conversion is exact).
@Suite struct HalfAttentionTests {
    @Test(arguments: [false, true])
    func halfStorageGivesTheFloatBits(batched: Bool) {
        var rng = TestRNG(seed: batched ? 7 : 8)
        let dim = 64, positions = 45, stride = 2 * dim   // two heads side by side
        var k = rng.floats(positions * stride), v = rng.floats(positions * stride)
        var q = rng.floats(dim)
        VectorOps.roundToHalf(&k, count: k.count)
        VectorOps.roundToHalf(&v, count: v.count)
        VectorOps.roundToHalf(&q, count: q.count)
        var kh = [UInt16](repeating: 0, count: k.count), vh = kh
        VectorOps.toHalf(k, &kh, count: k.count)
        VectorOps.toHalf(v, &vh, count: v.count)
        for head in 0..<2 {
            let off = head * dim
            var s32 = [Float](repeating: 0, count: positions), s16 = s32
            k.withUnsafeBufferPointer { kb in
                VectorOps.attentionScores(q, kb.baseAddress! + off, stride: stride, range: 3..<positions, count: dim,
                                          batched: batched, scale: 0.125, into: &s32)
            }
            kh.withUnsafeBufferPointer { kb in
                VectorOps.attentionScores(q, kb.baseAddress! + off, stride: stride, range: 3..<positions, count: dim,
                                          batched: batched, scale: 0.125, into: &s16)
            }
            #expect(s32.map(\.bitPattern) == s16.map(\.bitPattern))
            var p = rng.floats(positions).map { abs($0) }
            VectorOps.roundToHalf(&p, count: p.count)
            var scratch = [Float](repeating: 0, count: 32 * dim)
            var o32 = [Float](repeating: 0, count: dim), o16 = o32
            v.withUnsafeBufferPointer { vb in
                VectorOps.attentionValues(p, vb.baseAddress! + off, stride: stride, range: 3..<positions, count: dim,
                                          batched: batched, scratch: &scratch, out: &o32)
            }
            vh.withUnsafeBufferPointer { vb in
                VectorOps.attentionValues(p, vb.baseAddress! + off, stride: stride, range: 3..<positions, count: dim,
                                          batched: batched, scratch: &scratch, out: &o16)
            }
            #expect(o32.map(\.bitPattern) == o16.map(\.bitPattern))
        }
    }

    /// The tiled forms (GQA heads scored together; value lanes in registers,
    /// 8 batched or 32 for one token) give one-head-at-a-time bits, and so do their scalar
    /// references, for any head count, unaligned ranges and head sizes
    /// (48 is not a multiple of 32; 36 takes the fallback).
    @Test(arguments: [(64, 7), (64, 4), (48, 3), (36, 2), (64, 1)])
    func tiledFormsGiveOneHeadAtATimeBits(dim: Int, heads: Int) {
        var rng = TestRNG(seed: UInt64(dim * 10 + heads))
        let positions = 70, stride = 2 * dim
        var k = rng.floats(positions * stride), v = rng.floats(positions * stride)
        var q = rng.floats(heads * dim)
        VectorOps.roundToHalf(&k, count: k.count)
        VectorOps.roundToHalf(&v, count: v.count)
        VectorOps.roundToHalf(&q, count: q.count)
        var kh = [UInt16](repeating: 0, count: k.count), vh = kh
        VectorOps.toHalf(k, &kh, count: k.count)
        VectorOps.toHalf(v, &vh, count: v.count)
        var scratch = [Float](repeating: 0, count: 32 * dim)
        for range in [0..<positions, 3..<45, 5..<7, 8..<16, 9..<10, 13..<13, 31..<61, 33..<40] {
            let sstride = positions + 3
            var tiled = [Float](repeating: 0, count: heads * sstride), reference = tiled, single = tiled
            kh.withUnsafeBufferPointer { kb in
                VectorOps.attentionScores(heads: heads, q, qStride: dim, kb.baseAddress! + dim, stride: stride, range: range,
                                          count: dim, scale: 0.125, into: &tiled, scoreStride: sstride)
                VectorOps.attentionScores(heads: heads, q, qStride: dim, kb.baseAddress! + dim, stride: stride, range: range,
                                          count: dim, scale: 0.125, into: &reference, scoreStride: sstride, reference: true)
                for h in 0..<heads {
                    single.withUnsafeMutableBufferPointer { sb in
                        q.withUnsafeBufferPointer { qb in
                            VectorOps.attentionScores(qb.baseAddress! + h * dim, kb.baseAddress! + dim, stride: stride, range: range,
                                                      count: dim, batched: true, scale: 0.125, into: sb.baseAddress! + h * sstride)
                        }
                    }
                }
            }
            #expect(tiled.map(\.bitPattern) == single.map(\.bitPattern), "scores \(range)")
            #expect(reference.map(\.bitPattern) == single.map(\.bitPattern), "reference scores \(range)")
            var p = rng.floats(positions).map { abs($0) }
            p[range.lowerBound ..< min(range.lowerBound + 2, range.upperBound)].withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
            VectorOps.roundToHalf(&p, count: p.count)
            for batched in [true, false] {
                var o1 = [Float](repeating: 0, count: dim), o2 = o1, o3 = o1
                vh.withUnsafeBufferPointer { vb in
                    VectorOps.attentionValues(p, vb.baseAddress!, stride: stride, range: range, count: dim,
                                              batched: batched, scratch: &scratch, out: &o1)
                    VectorOps.attentionValuesReference(p, vb.baseAddress!, stride: stride, range: range, count: dim,
                                                       batched: batched, scratch: &scratch, out: &o2)
                }
                v.withUnsafeBufferPointer { vb in   // the float form keeps its lanes in memory
                    VectorOps.attentionValues(p, vb.baseAddress!, stride: stride, range: range, count: dim,
                                              batched: batched, scratch: &scratch, out: &o3)
                }
                #expect(o1.map(\.bitPattern) == o3.map(\.bitPattern), "values \(range) batched \(batched)")
                #expect(o2.map(\.bitPattern) == o3.map(\.bitPattern), "reference values \(range) batched \(batched)")
            }
        }
    }
    /// The tile kernel (tokens of one sequence × GQA heads as small matrix
    /// products) gives the per-token path's bits in every instruction set:
    /// unaligned and windowed key ranges, tiles of 1 to 9 tokens, head sizes
    /// 16 wide (64, 256), 8 wide only (48) and neither (36).
    @Test(arguments: [(64, 7), (256, 4), (48, 3), (36, 2), (64, 1)])
    func tileGivesThePerTokenBits(dim: Int, heads: Int) {
        var rng = TestRNG(seed: UInt64(dim * 100 + heads))
        let kvHeads = 2, stride = kvHeads * dim, qDim = kvHeads * heads * dim
        var skipped: Set<String> = []
        for (tokens, start, window) in [(1, 9, 0), (2, 0, 0), (5, 37, 0), (8, 130, 0), (9, 261, 40), (3, 6, 5)] {
            let positions = start + tokens
            var k = rng.floats(positions * stride), v = rng.floats(positions * stride)
            var q = rng.floats(tokens * qDim)
            VectorOps.roundToHalf(&k, count: k.count)
            VectorOps.roundToHalf(&v, count: v.count)
            VectorOps.roundToHalf(&q, count: q.count)
            var kh = [UInt16](repeating: 0, count: k.count), vh = kh
            VectorOps.toHalf(k, &kh, count: k.count)
            VectorOps.toHalf(v, &vh, count: v.count)
            let pos = (0..<tokens).map { Int32(start + $0) }
            let first = pos.map { window > 0 ? max(0, $0 - Int32(window) + 1) : 0 }
            let g = 1, kvOffset = g * dim, qOffset = g * heads * dim
            // The per-token reference: scalar scores, llama.cpp's mask and softmax, scalar values.
            var expected = [Float](repeating: .nan, count: tokens * qDim)
            var scratch = [Float](repeating: 0, count: 32 * dim)
            let sstride = positions + 8
            for t in 0..<tokens {
                let lo = Int(first[t]), p = Int(pos[t]), a = lo & ~7, end = (p + 8) & ~7
                var scores = [Float](repeating: 0, count: heads * sstride)
                kh.withUnsafeBufferPointer { kb in
                    q.withUnsafeBufferPointer { qb in
                        VectorOps.attentionScores(heads: heads, qb.baseAddress! + t * qDim + qOffset, qStride: dim,
                                                  kb.baseAddress! + kvOffset, stride: stride, range: lo..<(p + 1), count: dim,
                                                  scale: 0.125, into: &scores, scoreStride: sstride, reference: true)
                    }
                }
                for h in 0..<heads {
                    scores.withUnsafeMutableBufferPointer { sb in
                        let row = sb.baseAddress! + h * sstride
                        for j in a..<lo { row[j] = -.infinity }
                        for j in (p + 1)..<end { row[j] = -.infinity }
                        VectorOps.softmax(row + a, count: end - a)
                        VectorOps.roundToHalf(row + a, count: end - a)
                        vh.withUnsafeBufferPointer { vb in
                            expected.withUnsafeMutableBufferPointer { eb in
                                VectorOps.attentionValuesReference(row, vb.baseAddress! + kvOffset, stride: stride,
                                                                   range: lo..<(p + 1), count: dim, batched: true, scratch: &scratch,
                                                                   out: eb.baseAddress! + t * qDim + qOffset + h * dim)
                            }
                        }
                    }
                }
            }
            for kernels in VectorOps.TileKernels.allCases {
                var out = [Float](repeating: .nan, count: tokens * qDim)
                let ran = kh.withUnsafeBufferPointer { kb in
                    vh.withUnsafeBufferPointer { vb in
                        q.withUnsafeBufferPointer { qb in
                            out.withUnsafeMutableBufferPointer { ob in
                                VectorOps.attentionTile(qb.baseAddress! + qOffset, qStride: qDim, tokens: tokens, heads: heads,
                                                        positions: pos, firstVisible: first, keys: kb.baseAddress! + kvOffset,
                                                        values: vb.baseAddress! + kvOffset, stride: stride, count: dim,
                                                        scale: 0.125, out: ob.baseAddress! + qOffset, outStride: qDim, kernels: kernels)
                            }
                        }
                    }
                }
                guard ran else {
                    skipped.insert("\(kernels)")
                    #expect(kernels == .avx2 || kernels == .avx512)
                    continue
                }
                for t in 0..<tokens {
                    let range = (t * qDim + qOffset)..<(t * qDim + qOffset + heads * dim)
                    #expect(out[range].map(\.bitPattern) == expected[range].map(\.bitPattern),
                            "\(kernels): tokens \(tokens) from \(start), window \(window), token \(t)")
                }
            }
        }
        for kernels in skipped.sorted() {
            print("skipped (\(kernels) tile): this CPU lacks its instructions, or AQYL_KERNELS turned them off")
        }
    }
}
