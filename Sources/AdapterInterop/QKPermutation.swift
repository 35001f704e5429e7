/// The row order llama.cpp's converter gives `llama` q and k weights.
///
/// Hugging Face's Llama rotates dimension pairs (j, j + d/2) of each head
/// (`rotate_half`); ggml's normal RoPE rotates (2j, 2j + 1). So
/// `convert_hf_to_gguf.py` permutes the rows of q_proj (with n_head) and
/// k_proj (with n_head_kv) — `w.reshape(n_head, 2, d/2, ...).swapaxes(1, 2)` —
/// and `convert_lora_to_gguf.py` does the same to lora_B, whose rows are the
/// matrix's outputs (lora_A's rows are the rank and stay as they are).
/// qwen2 and gemma3 use NeoX RoPE, which already pairs (j, j + d/2): no permutation.
enum QKPermutation {
    /// HF row order → GGUF row order: GGUF row `h·d + 2j + i` is HF row `h·d + i·d/2 + j`.
    /// `m` is row-major (rows, columns) with rows = heads · d.
    static func toGGUF(_ m: [Float], rows: Int, columns: Int, heads: Int) -> [Float] {
        permute(m, rows: rows, columns: columns, heads: heads, inverse: false)
    }

    /// GGUF row order → HF row order (the inverse of ``toGGUF(_:rows:columns:heads:)``).
    static func toHF(_ m: [Float], rows: Int, columns: Int, heads: Int) -> [Float] {
        permute(m, rows: rows, columns: columns, heads: heads, inverse: true)
    }

    /// Callers check `rows == heads · d` with d even (ModelConfig guarantees an
    /// even head dimension; shapes are checked against it before permuting).
    private static func permute(_ m: [Float], rows: Int, columns: Int, heads: Int, inverse: Bool) -> [Float] {
        precondition(heads > 0 && rows % (2 * heads) == 0 && m.count == rows * columns, "QKPermutation: shape")
        let d = rows / heads, half = d / 2
        var out = [Float](repeating: 0, count: m.count)
        for h in 0..<heads {
            for i in 0..<2 {
                for j in 0..<half {
                    let gguf = h * d + 2 * j + i, hf = h * d + i * half + j
                    let (dst, src) = inverse ? (hf, gguf) : (gguf, hf)
                    for c in 0..<columns { out[dst * columns + c] = m[src * columns + c] }
                }
            }
        }
        return out
    }
}
