/// Llama (Llama-2/3.x, KazLLM, SmolLM2): pre-norm blocks, SiLU-gated MLP,
/// NORMAL RoPE (q/k rows were permuted by the converter). Llama-3.1 "llama3"
/// rope scaling arrives as the `rope_freqs.weight` divisor tensor.
enum LlamaArchitecture {
    static let traits = ArchitectureTraits(
        ropeStyle: .normal, activation: .silu, scalesEmbedding: false,
        normalizesQK: false, hasPostNorms: false, slidingLayer: nil)
}
