import GGUF
import Kernels

/// One decoder block's weights. Matrices stay in their GGUF quant type inside
/// the mapping; norm vectors and biases (tiny) are copied to F32.
public struct LayerWeights: @unchecked Sendable {
    public var attentionNorm: [Float]          // (embd)        "blk.N.attn_norm"
    public var query: QuantMatrix              // (qDim, embd)  "blk.N.attn_q"
    public var key: QuantMatrix                // (kvDim, embd) "blk.N.attn_k"
    public var value: QuantMatrix              // (kvDim, embd) "blk.N.attn_v"
    public var output: QuantMatrix             // (embd, qDim)  "blk.N.attn_output"
    public var queryBias: [Float]?             // (qDim)  qwen2
    public var keyBias: [Float]?               // (kvDim) qwen2
    public var valueBias: [Float]?             // (kvDim) qwen2
    public var queryNorm: [Float]?             // (headDim) gemma3
    public var keyNorm: [Float]?               // (headDim) gemma3
    public var postAttentionNorm: [Float]?     // (embd) gemma3
    public var ffnNorm: [Float]                // (embd)  "blk.N.ffn_norm"
    public var gate: QuantMatrix               // (ff, embd)
    public var up: QuantMatrix                 // (ff, embd)
    public var down: QuantMatrix               // (embd, ff)
    public var postFFNNorm: [Float]?           // (embd) gemma3 "post_ffw_norm"
}

/// All weights of a model, as views into the mapped GGUF file.
public struct ModelWeights: @unchecked Sendable {
    public var tokenEmbedding: QuantMatrix     // (vocab, embd) "token_embd"
    public var outputNorm: [Float]             // (embd)
    public var output: QuantMatrix             // (vocab, embd) "output", or tied to token_embd
    public var ropeFrequencyFactors: [Float]?  // (ropeDims/2) Llama-3.1 "rope_freqs"
    public var layers: [LayerWeights]

    public init(file: GGUFFile, config c: ModelConfig, kernels: MatmulKernels = .llamaCppDefault) throws {
        let loader = WeightLoader(file: file, packing: kernels.packing)
        // Only lookups read an untied embedding: copying it into the matmul layout would waste its size.
        let tied = file.tensor(named: "output.weight") == nil
        tokenEmbedding = try loader.matrix("token_embd.weight", rows: c.vocabulary, columns: c.embedding,
                                           packing: tied ? loader.packing : .plain)
        outputNorm = try loader.vector("output_norm.weight", count: c.embedding)
        if file.tensor(named: "output.weight") != nil {
            output = try loader.matrix("output.weight", rows: c.vocabulary, columns: c.embedding)
        } else {
            output = tokenEmbedding
        }
        ropeFrequencyFactors = file.tensor(named: "rope_freqs.weight") != nil
            ? try loader.vector("rope_freqs.weight", count: c.ropeDimensions / 2) : nil
        layers = try (0..<c.layers).map { i in
            let b = "blk.\(i)."
            func opt(_ name: String, _ count: Int) throws -> [Float]? {
                file.tensor(named: b + name) != nil ? try loader.vector(b + name, count: count) : nil
            }
            return LayerWeights(
                attentionNorm: try loader.vector(b + "attn_norm.weight", count: c.embedding),
                query: try loader.matrix(b + "attn_q.weight", rows: c.qDim, columns: c.embedding),
                key: try loader.matrix(b + "attn_k.weight", rows: c.kvDim, columns: c.embedding),
                value: try loader.matrix(b + "attn_v.weight", rows: c.kvDim, columns: c.embedding),
                output: try loader.matrix(b + "attn_output.weight", rows: c.embedding, columns: c.qDim),
                queryBias: try opt("attn_q.bias", c.qDim),
                keyBias: try opt("attn_k.bias", c.kvDim),
                valueBias: try opt("attn_v.bias", c.kvDim),
                queryNorm: try opt("attn_q_norm.weight", c.headDim),
                keyNorm: try opt("attn_k_norm.weight", c.headDim),
                postAttentionNorm: try opt("post_attention_norm.weight", c.embedding),
                ffnNorm: try loader.vector(b + "ffn_norm.weight", count: c.embedding),
                gate: try loader.matrix(b + "ffn_gate.weight", rows: c.feedForward, columns: c.embedding),
                up: try loader.matrix(b + "ffn_up.weight", rows: c.feedForward, columns: c.embedding),
                down: try loader.matrix(b + "ffn_down.weight", rows: c.embedding, columns: c.feedForward),
                postFFNNorm: try opt("post_ffw_norm.weight", c.embedding))
        }
        let traits = ArchitectureTraits.of(c.architecture)
        if traits.normalizesQK, layers.contains(where: { $0.queryNorm == nil || $0.keyNorm == nil }) {
            throw ModelError.missingTensor("blk.N.attn_q_norm.weight / attn_k_norm.weight")
        }
        if traits.hasPostNorms, layers.contains(where: { $0.postAttentionNorm == nil || $0.postFFNNorm == nil }) {
            throw ModelError.missingTensor("blk.N.post_attention_norm.weight / post_ffw_norm.weight")
        }
    }
}

/// Turns tensor infos into checked views.
struct WeightLoader {
    let file: GGUFFile
    var packing: WeightPacking = .llamaCpp

    func info(_ name: String) throws -> GGUFTensorInfo {
        guard let t = file.tensor(named: name) else { throw ModelError.missingTensor(name) }
        return t
    }

    /// A 2-D matrix with ggml shape [columns, rows].
    func matrix(_ name: String, rows: Int, columns: Int, packing: WeightPacking? = nil) throws -> QuantMatrix {
        let t = try info(name)
        guard t.dimensions.count == 2, t.dimensions[0] == columns, t.dimensions[1] == rows else {
            throw ModelError.badTensorShape(name: name, expected: [columns, rows], actual: t.dimensions)
        }
        let data = file.tensorData(t)
        guard let base = data.baseAddress else { throw ModelError.missingTensor(name) }
        let m: QuantMatrix
        do {
            m = try QuantMatrix(type: t.type, rows: rows, columns: columns, base: base, packing: packing ?? self.packing) { start, count in
                file.releaseResidentPages(start: start, count: count)
            }
        } catch {
            throw ModelError.unsupportedTensorType(name: name, type: t.type)
        }
        // The interleaved copy replaces the mapped bytes for matmuls (released
        // slice by slice while copying); only embedding lookups (one row per
        // token) still read them.
        return m
    }

    /// A small vector copied to F32.
    func vector(_ name: String, count: Int) throws -> [Float] {
        let t = try info(name)
        guard t.elementCount == count else {
            throw ModelError.badTensorShape(name: name, expected: [count], actual: t.dimensions)
        }
        let m = try matrix(name, rows: 1, columns: count, dims: t)
        var out = [Float](repeating: 0, count: count)
        out.withUnsafeMutableBufferPointer { Dequantize.row(m.type, m.base, $0.baseAddress!, count: count) }
        return out
    }

    private func matrix(_ name: String, rows: Int, columns: Int, dims t: GGUFTensorInfo) throws -> QuantMatrix {
        guard let base = file.tensorData(t).baseAddress else { throw ModelError.missingTensor(name) }
        do {
            return try QuantMatrix(type: t.type, rows: rows, columns: columns, base: base)
        } catch {
            throw ModelError.unsupportedTensorType(name: name, type: t.type)
        }
    }
}
