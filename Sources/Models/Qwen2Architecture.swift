/// Qwen 2 / 2.5: the llama block with q/k/v biases and NEOX RoPE.
/// (Biases are loaded whenever present, for any architecture.)
enum Qwen2Architecture {
    static let traits = ArchitectureTraits(
        ropeStyle: .neox, activation: .silu, scalesEmbedding: false,
        normalizesQK: false, hasPostNorms: false, slidingLayer: nil)
}
