import CKernels

/// Small vector ops of the forward pass; thin wrappers over CKernels'
/// vecops.c (vectorized by the C compiler). Counts are element counts.
public enum VectorOps {
    /// out = x / sqrt(mean(x²) + eps) * weight
    public static func rmsNorm(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, eps: Float, count: Int, out: UnsafeMutablePointer<Float>) {
        ck_rms_norm(x, weight, eps, Int32(count), out)
    }

    /// Σ a[i]·b[i]
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        ck_dot_f32(a, b, Int32(count))
    }

    /// One attention score q·k in llama.cpp's order: ggml_vec_dot_f16's for a
    /// 1-token batch (`batched == false`), tinyBLAS's for larger batches.
    /// Inputs must already be fp16 values.
    public static func attentionDot(_ q: UnsafePointer<Float>, _ k: UnsafePointer<Float>, count: Int, batched: Bool) -> Float {
        ck_attn_dot(q, k, Int32(count), batched ? 1 : 0)
    }

    /// scores[j] = attentionDot(q, k + j·stride) · scale for j in `range`, in one call.
    public static func attentionScores(_ q: UnsafePointer<Float>, _ k: UnsafePointer<Float>, stride: Int, range: Range<Int>,
                                       count: Int, batched: Bool, scale: Float, into scores: UnsafeMutablePointer<Float>) {
        ck_attn_scores(q, k, stride, Int32(range.lowerBound), Int32(range.upperBound), Int32(count), batched ? 1 : 0, scale, scores)
    }

    /// out[d] = Σ_{j in range} p[j]·v[j·stride + d] in llama.cpp's order (lanes by
    /// absolute position j, as `attentionDot`). `scratch` holds 32·count floats.
    public static func attentionValues(_ p: UnsafePointer<Float>, _ v: UnsafePointer<Float>, stride: Int, range: Range<Int>,
                                       count: Int, batched: Bool, scratch: UnsafeMutablePointer<Float>,
                                       out: UnsafeMutablePointer<Float>) {
        ck_attn_values(p, v, stride, Int32(range.lowerBound), Int32(range.upperBound), Int32(count), batched ? 1 : 0, scratch, out)
    }

    /// `attentionScores` with keys stored as fp16.
    public static func attentionScores(_ q: UnsafePointer<Float>, _ k: UnsafePointer<UInt16>, stride: Int, range: Range<Int>,
                                       count: Int, batched: Bool, scale: Float, into scores: UnsafeMutablePointer<Float>) {
        ck_attn_scores_f16(q, k, stride, Int32(range.lowerBound), Int32(range.upperBound), Int32(count), batched ? 1 : 0, scale, scores)
    }

    /// `attentionValues` with values stored as fp16.
    public static func attentionValues(_ p: UnsafePointer<Float>, _ v: UnsafePointer<UInt16>, stride: Int, range: Range<Int>,
                                       count: Int, batched: Bool, scratch: UnsafeMutablePointer<Float>,
                                       out: UnsafeMutablePointer<Float>) {
        ck_attn_values_f16(p, v, stride, Int32(range.lowerBound), Int32(range.upperBound), Int32(count), batched ? 1 : 0, scratch, out)
    }

    /// `attentionScores` (batched order) for `heads` queries `qStride` floats
    /// apart that share one K (the GQA heads of one token), into score rows
    /// `scoreStride` apart: K rows converted once for all heads, several dot
    /// products in flight. Same bits as one `attentionScores` call per head.
    public static func attentionScores(heads: Int, _ q: UnsafePointer<Float>, qStride: Int, _ k: UnsafePointer<UInt16>,
                                       stride: Int, range: Range<Int>, count: Int, scale: Float,
                                       into scores: UnsafeMutablePointer<Float>, scoreStride: Int, reference: Bool = false) {
        (reference ? ck_attn_scores_heads_f16_generic : ck_attn_scores_heads_f16)(
            q, qStride, Int32(heads), k, stride, Int32(range.lowerBound), Int32(range.upperBound), Int32(count), scale,
            scores, scoreStride)
    }

    /// The instruction set `attentionTile` runs on: `.best` is what this CPU
    /// has; tests run each form and compare bits.
    public enum TileKernels: Sendable, CaseIterable { case best, generic, avx2, avx512 }

    /// Batched attention (the order of 2+ tokens per batch) for a tile of
    /// `tokens` query tokens of one sequence: token t's `heads` query rows
    /// (`count` floats each, the GQA heads sharing one KV head) start at
    /// `q + t·qStride` and see keys `firstVisible[t]...positions[t]` of the
    /// fp16 cache rows `keys`/`values` (`stride` halves apart). Scores, mask,
    /// softmax, fp16 probabilities and values with the bits of
    /// `attentionScores(heads:)` + `softmax` + `roundToHalf` + `attentionValues`
    /// per token, reading K and V once per tile. Keys up to the largest
    /// position must be stored.
    /// - Returns: false when nothing ran (no buffers, or the CPU lacks `kernels`).
    public static func attentionTile(_ q: UnsafePointer<Float>, qStride: Int, tokens: Int, heads: Int,
                                     positions: UnsafePointer<Int32>, firstVisible: UnsafePointer<Int32>,
                                     keys: UnsafePointer<UInt16>, values: UnsafePointer<UInt16>, stride: Int,
                                     count: Int, scale: Float, out: UnsafeMutablePointer<Float>, outStride: Int,
                                     kernels: TileKernels = .best) -> Bool {
        let run = switch kernels {
        case .best: ck_attn_tile_f16
        case .generic: ck_attn_tile_f16_generic
        case .avx2: ck_attn_tile_f16_avx2
        case .avx512: ck_attn_tile_f16_avx512
        }
        return run(q, qStride, Int32(tokens), Int32(heads), positions, firstVisible, keys, values, stride,
                   Int32(count), scale, out, outStride) == 0
    }

    /// The scalar reference of the fp16 `attentionValues` (the AVX2 form keeps
    /// its lane accumulators in registers; tests compare the two).
    public static func attentionValuesReference(_ p: UnsafePointer<Float>, _ v: UnsafePointer<UInt16>, stride: Int,
                                                range: Range<Int>, count: Int, batched: Bool,
                                                scratch: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>) {
        ck_attn_values_f16_generic(p, v, stride, Int32(range.lowerBound), Int32(range.upperBound), Int32(count),
                                   batched ? 1 : 0, scratch, out)
    }

    /// dst[i] = fp16(src[i]), rounding to nearest even.
    public static func toHalf(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<UInt16>, count: Int) {
        ck_fp32_to_fp16_row(src, dst, Int32(count))
    }

    /// y += alpha·x
    public static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        ck_axpy(alpha, x, y, Int32(count))
    }

    /// In-place softmax, max-subtracted for stability.
    public static func softmax(_ x: UnsafeMutablePointer<Float>, count: Int) {
        ck_softmax(x, Int32(count))
    }

    /// gate = silu(gate)·up, silu(g) = g / (1 + e^-g)
    public static func siluMul(_ gate: UnsafeMutablePointer<Float>, _ up: UnsafePointer<Float>, count: Int) {
        ck_silu_mul(gate, up, Int32(count))
    }

    /// gate = gelu_tanh(gate)·up, gelu(x) = 0.5x(1 + tanh(√(2/π)(x + 0.044715x³)))
    public static func geluTanhMul(_ gate: UnsafeMutablePointer<Float>, _ up: UnsafePointer<Float>, count: Int) {
        ck_gelu_tanh_mul(gate, up, Int32(count))
    }

    /// gate = gelu_tanh(gate) * up by the plain formula (no fp16 table); the reference for `geluTanhMul`.
    public static func geluTanhMulExact(_ gate: UnsafeMutablePointer<Float>, _ up: UnsafePointer<Float>, count: Int) {
        ck_gelu_tanh_mul_exact(gate, up, Int32(count))
    }

    /// Rounds each value to the nearest fp16 (kept as Float), as an F16 KV cache would store it.
    public static func roundToHalf(_ x: UnsafeMutablePointer<Float>, count: Int) {
        ck_round_fp16(x, Int32(count))
    }

    /// y += x
    public static func add(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        ck_add(x, y, Int32(count))
    }

    /// out = act(g)·u in full F32 (SiLU, or GELU-tanh as x·σ(2z)), vectorized with a
    /// bounded ggml-style exp: training's forward (inference keeps llama.cpp's forms).
    public static func gatedForward(gelu: Bool, g: UnsafePointer<Float>, u: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>,
                                    count: Int) {
        ck_gated_forward(gelu ? 1 : 0, g, u, out, Int32(count))
    }

    /// The backward of `gatedForward`: given dh, g becomes dL/dg and u dL/du.
    public static func gatedBackward(gelu: Bool, g: UnsafeMutablePointer<Float>, u: UnsafeMutablePointer<Float>, dh: UnsafePointer<Float>,
                                     count: Int) {
        ck_gated_backward(gelu ? 1 : 0, g, u, dh, Int32(count))
    }

    /// max |x[i]|, or nil when some x[i] is infinite or NaN.
    public static func largestMagnitude(_ x: UnsafePointer<Float>, count: Int) -> Float? {
        let bits = ck_absmax_bits(x, Int32(count))
        return bits >= 0x7f80_0000 ? nil : Float(bitPattern: bits)
    }

    /// x *= s
    public static func scale(_ x: UnsafeMutablePointer<Float>, by s: Float, count: Int) {
        ck_scale(x, s, Int32(count))
    }
}
