import Foundation
import GGUF
import Kernels

/// The oracle: a plain-loop forward pass in the style of llama2.c's `run.c`,
/// one token at a time, every weight row dequantized with the scalar
/// reference and every sum done in Float with no tricks.
///
/// It is slow on purpose. ``Transformer`` (the fast path) is tested against
/// it, and it is tested against llama.cpp's golden logits.
public final class ReferenceTransformer: @unchecked Sendable {
    public let config: ModelConfig
    let weights: ModelWeights
    let traits: ArchitectureTraits
    private var keyCache: [[Float]]    // per layer (positions, kvDim)
    private var valueCache: [[Float]]  // per layer (positions, kvDim)
    public private(set) var position = 0

    public init(model: Transformer) {
        config = model.config
        weights = model.weights
        traits = model.traits
        keyCache = Array(repeating: [], count: model.config.layers)
        valueCache = Array(repeating: [], count: model.config.layers)
    }

    /// Runs one token and returns its logits (vocab).
    public func step(_ token: Int32) -> [Float] {
        let c = config
        let e = c.embedding
        // x: (embd)
        var x = Self.row(weights.tokenEmbedding, Int(token))
        if traits.scalesEmbedding {
            let scale = sqrtf(Float(e))
            for i in 0..<e { x[i] *= scale }
        }
        for l in 0..<c.layers {
            let w = weights.layers[l]
            let sliding = c.isSliding(l)
            // Attention block.
            var xn = Self.rmsNorm(x, w.attentionNorm, c.rmsEpsilon)
            var q = Self.matvec(w.query, xn)        // (heads*headDim)
            var k = Self.matvec(w.key, xn)          // (kvHeads*headDim)
            let vRaw = Self.matvec(w.value, xn)     // (kvHeads*headDim)
            var v = vRaw
            if let b = w.queryBias { for i in 0..<q.count { q[i] += b[i] } }
            if let b = w.keyBias { for i in 0..<k.count { k[i] += b[i] } }
            if let b = w.valueBias { for i in 0..<v.count { v[i] += b[i] } }
            let base = sliding ? c.ropeBaseSliding : c.ropeBase
            let freqScale: Float = sliding ? 1 : c.ropeFrequencyScale
            let factors = sliding ? nil : weights.ropeFrequencyFactors
            for h in 0..<c.heads {
                var head = Array(q[(h * c.headDim)..<((h + 1) * c.headDim)])
                if let n = w.queryNorm { head = Self.rmsNorm(head, n, c.rmsEpsilon) }
                head = Self.rope(head, position: position, dims: c.ropeDimensions, base: base, freqScale: freqScale, factors: factors, style: traits.ropeStyle)
                q.replaceSubrange((h * c.headDim)..<((h + 1) * c.headDim), with: head)
            }
            for h in 0..<c.kvHeads {
                var head = Array(k[(h * c.headDim)..<((h + 1) * c.headDim)])
                if let n = w.keyNorm { head = Self.rmsNorm(head, n, c.rmsEpsilon) }
                head = Self.rope(head, position: position, dims: c.ropeDimensions, base: base, freqScale: freqScale, factors: factors, style: traits.ropeStyle)
                k.replaceSubrange((h * c.headDim)..<((h + 1) * c.headDim), with: head)
            }
            keyCache[l].append(contentsOf: k)
            valueCache[l].append(contentsOf: v)
            var attn = [Float](repeating: 0, count: c.qDim)
            let group = c.heads / c.kvHeads
            for h in 0..<c.heads {
                let kvh = h / group
                let lo = sliding ? max(0, position - c.slidingWindow + 1) : 0
                var scores: [Float] = []
                for j in lo...position {
                    var dot: Float = 0
                    for d in 0..<c.headDim {
                        dot += q[h * c.headDim + d] * keyCache[l][j * c.kvDim + kvh * c.headDim + d]
                    }
                    scores.append(dot * c.attentionScale)
                }
                let m = scores.max() ?? 0
                var sum: Float = 0
                for i in 0..<scores.count { scores[i] = expf(scores[i] - m); sum += scores[i] }
                for (i, j) in (lo...position).enumerated() {
                    let p = scores[i] / sum
                    for d in 0..<c.headDim {
                        attn[h * c.headDim + d] += p * valueCache[l][j * c.kvDim + kvh * c.headDim + d]
                    }
                }
            }
            var o = Self.matvec(w.output, attn)
            if let n = w.postAttentionNorm { o = Self.rmsNorm(o, n, c.rmsEpsilon) }
            for i in 0..<e { x[i] += o[i] }

            // Feed-forward block.
            xn = Self.rmsNorm(x, w.ffnNorm, c.rmsEpsilon)
            var g = Self.matvec(w.gate, xn)
            let u = Self.matvec(w.up, xn)
            for i in 0..<g.count {
                let a: Float
                switch traits.activation {
                case .silu: a = g[i] / (1 + expf(-g[i]))
                case .geluTanh:
                    let z = g[i]
                    a = 0.5 * z * (1 + tanhf(0.797_884_56 * (z + 0.044715 * z * z * z)))
                }
                g[i] = a * u[i]
            }
            var d = Self.matvec(w.down, g)
            if let n = w.postFFNNorm { d = Self.rmsNorm(d, n, c.rmsEpsilon) }
            for i in 0..<e { x[i] += d[i] }
        }
        position += 1
        var logits = Self.matvec(weights.output, Self.rmsNorm(x, weights.outputNorm, c.rmsEpsilon))
        if let cap = c.finalLogitSoftcap { logits = logits.map { cap * tanhf($0 / cap) } }
        return logits
    }

    static func row(_ m: QuantMatrix, _ r: Int) -> [Float] {
        var out = [Float](repeating: 0, count: m.columns)
        out.withUnsafeMutableBufferPointer { Dequantize.reference(m.type, m.row(r), $0.baseAddress!, count: m.columns) }
        return out
    }

    static func matvec(_ m: QuantMatrix, _ x: [Float]) -> [Float] {
        (0..<m.rows).map { r in
            let w = row(m, r)
            var sum: Float = 0
            for i in 0..<m.columns { sum += w[i] * x[i] }
            return sum
        }
    }

    static func rmsNorm(_ x: [Float], _ w: [Float], _ eps: Float) -> [Float] {
        var ss: Double = 0
        for v in x { ss += Double(v * v) }
        let scale = 1 / sqrtf(Float(ss / Double(x.count)) + eps)
        return (0..<x.count).map { x[$0] * scale * w[$0] }
    }

    /// Textbook RoPE: θ_i = pos · base^(−2i/d) / factor_i · freqScale, computed
    /// directly (the fast path reproduces ggml's running product instead).
    static func rope(_ x: [Float], position: Int, dims: Int, base: Float, freqScale: Float, factors: [Float]?, style: RopeStyle) -> [Float] {
        var out = x
        let half = dims / 2
        for i in 0..<half {
            let freq = Double(freqScale) / pow(Double(base), Double(2 * i) / Double(dims)) / Double(factors?[i] ?? 1)
            let angle = Double(position) * freq
            let (cs, sn) = (Float(cos(angle)), Float(sin(angle)))
            let (a, b) = style == .normal ? (2 * i, 2 * i + 1) : (i, i + half)
            out[a] = x[a] * cs - x[b] * sn
            out[b] = x[a] * sn + x[b] * cs
        }
        return out
    }
}
