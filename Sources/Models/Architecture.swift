/// The decoder architectures the engine runs, keyed by `general.architecture`.
public enum Architecture: String, Sendable, CaseIterable {
    case llama
    case gemma3
    case qwen2
}

/// How RoPE pairs dimensions (ggml's rope modes).
public enum RopeStyle: Sendable {
    /// Rotates (x[2i], x[2i+1]); llama's converter permutes q/k rows to make this equal HF's rotate_half.
    case normal
    /// Rotates (x[i], x[i + n/2]).
    case neox
}

/// Feed-forward activation of the gated MLP.
public enum Activation: Sendable {
    case silu
    case geluTanh
}

/// The per-architecture switches of the shared decoder block (``DecoderBlock`` says
/// what each does). Each architecture's switches live in its own file as a static
/// `traits`; a new architecture is that file, its case here, and its tests.
public struct ArchitectureTraits: Sendable {
    public var ropeStyle: RopeStyle
    public var activation: Activation
    /// Multiply embeddings by sqrt(n_embd) (Gemma).
    public var scalesEmbedding: Bool
    /// Per-head RMSNorm of q and k before RoPE (Gemma 3, Qwen 3).
    public var normalizesQK: Bool
    /// Extra RMSNorm after attention output and after the FFN (Gemma 2/3 "sandwich" norms).
    public var hasPostNorms: Bool
    /// Layers alternate sliding-window and global attention (Gemma 3): whether layer
    /// `layer` slides, given the file's `attention.sliding_window_pattern` (when it is a
    /// number; a per-layer array of flags is taken as it is). `nil`: no sliding layers.
    public var slidingLayer: (@Sendable (_ layer: Int, _ pattern: Int) -> Bool)?
    public var hasSlidingWindow: Bool { slidingLayer != nil }
    /// q is multiplied by the attention scale before attention (llama.cpp's
    /// gemma3 graph: `ggml_scale(Qcur, f_attention_scale)`, then kq scale 1)
    /// rather than the scores after it. The same in exact arithmetic, but q
    /// then goes to fp16: a scaled element can fall into the subnormal range
    /// and round differently, which moved a Gemma-3 logit by 0.17σ.
    public var scalesQueryBeforeAttention: Bool = false

    public static func of(_ arch: Architecture) -> ArchitectureTraits {
        switch arch {
        case .llama: return LlamaArchitecture.traits
        case .gemma3: return Gemma3Architecture.traits
        case .qwen2: return Qwen2Architecture.traits
        }
    }
}
