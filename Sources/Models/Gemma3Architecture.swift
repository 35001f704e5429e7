/// Gemma 3: embeddings scaled by sqrt(n_embd); per-head q/k RMSNorm; sandwich
/// norms around attention and FFN; GELU-tanh; NEOX RoPE; five sliding-window
/// layers (rope base 10 000) per global layer (rope base from metadata).
/// The converter already folded Gemma's `1 + w` into the norm weights.
enum Gemma3Architecture {
    static let traits = ArchitectureTraits(
        ropeStyle: .neox, activation: .geluTanh, scalesEmbedding: true,
        normalizesQK: true, hasPostNorms: true, slidingLayer: isSliding, scalesQueryBeforeAttention: true)

    /// llama.cpp's rule (`llama-hparams.cpp`): layer `il` slides iff `il % pattern < pattern - 1`.
    @Sendable static func isSliding(layer: Int, pattern: Int) -> Bool {
        pattern == 0 || layer % pattern < pattern - 1
    }
}
