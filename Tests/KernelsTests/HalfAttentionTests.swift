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
}
