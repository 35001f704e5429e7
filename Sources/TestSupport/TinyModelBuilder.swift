import GGUF
import Kernels
import Tokenizers

/// Builds small random-weight model files with the project's own GGUF writer,
/// so model code is tested without real weights.
public struct TinyModelBuilder {
    public var architecture = "llama"
    public var embedding = 64
    public var layers = 2
    public var heads = 4
    public var kvHeads = 2
    public var headDim: Int? = nil
    public var feedForward = 96
    public var vocabulary = 40
    public var context = 64
    public var matrixType: GGMLType = .f32
    public var embeddingType: GGMLType = .f32
    public var slidingWindow = 0
    public var ropeFrequencyFactors = false
    public var biases = false
    public var seed: UInt64 = 1
    /// Adds a byte-level BPE vocabulary (256 byte tokens, then `<|im_start|>`,
    /// `<|im_end|>` as control tokens and EOS = `<|im_end|>`) and a ChatML template;
    /// `vocabulary` becomes 258.
    public var byteLevelTokenizer = false
    /// Writes a separate `output.weight` (an untied output matrix) in `embeddingType`.
    public var untiedOutput = false

    public init() {}

    /// A Gemma-3 shaped configuration (q/k norms, sandwich norms, sliding window).
    public static func gemma3() -> TinyModelBuilder {
        var b = TinyModelBuilder()
        b.architecture = "gemma3"
        b.heads = 2
        b.kvHeads = 1
        b.headDim = 32
        b.layers = 7
        b.slidingWindow = 4
        return b
    }

    public func build() throws -> GGUFWriter {
        var rng = SeededRandom(seed: seed)
        let vocabulary = byteLevelTokenizer ? 258 : self.vocabulary
        var w = GGUFWriter()
        let a = architecture + "."
        let hd = headDim ?? embedding / heads
        w.set("general.architecture", .string(architecture))
        w.set("general.name", .string("tiny-\(architecture)"))
        w.set(a + "context_length", .uint32(UInt32(context)))
        w.set(a + "embedding_length", .uint32(UInt32(embedding)))
        w.set(a + "block_count", .uint32(UInt32(layers)))
        w.set(a + "feed_forward_length", .uint32(UInt32(feedForward)))
        w.set(a + "attention.head_count", .uint32(UInt32(heads)))
        w.set(a + "attention.head_count_kv", .uint32(UInt32(kvHeads)))
        if headDim != nil {
            w.set(a + "attention.key_length", .uint32(UInt32(hd)))
            w.set(a + "attention.value_length", .uint32(UInt32(hd)))
        }
        w.set(a + "attention.layer_norm_rms_epsilon", .float32(1e-6))
        w.set(a + "rope.freq_base", .float32(architecture == "gemma3" ? 1_000_000 : 10_000))
        w.set(a + "vocab_size", .uint32(UInt32(vocabulary)))
        if byteLevelTokenizer {
            let tokens = (0..<256).map { ByteLevel.encode([UInt8($0)]) } + ["<|im_start|>", "<|im_end|>"]
            w.set("tokenizer.ggml.model", .string("gpt2"))
            w.set("tokenizer.ggml.pre", .string("smollm"))
            w.set("tokenizer.ggml.tokens", .array(.string(tokens)))
            w.set("tokenizer.ggml.token_type", .array(.int32([Int32](repeating: 1, count: 256) + [3, 3])))
            w.set("tokenizer.ggml.merges", .array(.string([])))
            w.set("tokenizer.ggml.eos_token_id", .uint32(257))
            w.set("tokenizer.chat_template", .string(
                "{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\\n' + m['content'] + '<|im_end|>\\n' }}{% endfor %}"
                + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"))
        }
        if slidingWindow > 0 { w.set(a + "attention.sliding_window", .uint32(UInt32(slidingWindow))) }

        func matrix(_ name: String, rows: Int, cols: Int, type: GGMLType, scale: Float) throws {
            let values = rng.floats(rows * cols, scale: scale)
            try w.addTensor(name: name, type: type, dimensions: [cols, rows],
                            bytes: try Quantize.quantize(values, to: type))
        }
        func norm(_ name: String, _ n: Int) throws {
            try w.addTensor(name: name, dimensions: [n], floats: (0..<n).map { _ in 1 + rng.float(scale: 0.2) })
        }
        let q = heads * hd, kv = kvHeads * hd
        try matrix("token_embd.weight", rows: vocabulary, cols: embedding, type: embeddingType, scale: 1)
        try norm("output_norm.weight", embedding)
        if untiedOutput { try matrix("output.weight", rows: vocabulary, cols: embedding, type: embeddingType, scale: 1) }
        if ropeFrequencyFactors {
            try w.addTensor(name: "rope_freqs.weight", dimensions: [hd / 2], floats: (0..<(hd / 2)).map { 1 + Float($0) * 0.5 })
        }
        for l in 0..<layers {
            let b = "blk.\(l)."
            let s = 1 / Float(embedding).squareRoot()
            try norm(b + "attn_norm.weight", embedding)
            try matrix(b + "attn_q.weight", rows: q, cols: embedding, type: matrixType, scale: s * 2)
            try matrix(b + "attn_k.weight", rows: kv, cols: embedding, type: matrixType, scale: s * 2)
            try matrix(b + "attn_v.weight", rows: kv, cols: embedding, type: matrixType, scale: s * 2)
            try matrix(b + "attn_output.weight", rows: embedding, cols: q, type: matrixType, scale: s)
            if biases {
                try w.addTensor(name: b + "attn_q.bias", dimensions: [q], floats: rng.floats(q, scale: 0.1))
                try w.addTensor(name: b + "attn_k.bias", dimensions: [kv], floats: rng.floats(kv, scale: 0.1))
                try w.addTensor(name: b + "attn_v.bias", dimensions: [kv], floats: rng.floats(kv, scale: 0.1))
            }
            if architecture == "gemma3" {
                try norm(b + "attn_q_norm.weight", hd)
                try norm(b + "attn_k_norm.weight", hd)
                try norm(b + "post_attention_norm.weight", embedding)
                try norm(b + "post_ffw_norm.weight", embedding)
            }
            try norm(b + "ffn_norm.weight", embedding)
            try matrix(b + "ffn_gate.weight", rows: feedForward, cols: embedding, type: matrixType, scale: s * 2)
            try matrix(b + "ffn_up.weight", rows: feedForward, cols: embedding, type: matrixType, scale: s * 2)
            try matrix(b + "ffn_down.weight", rows: embedding, cols: feedForward, type: matrixType, scale: s)
        }
        return w
    }
}
