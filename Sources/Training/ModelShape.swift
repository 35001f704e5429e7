import Foundation

/// A Llama-like transformer shape, enough to size LoRA adapters and activations.
///
/// The plan knows only a parameter count, so it takes the published shape of the
/// nearest well-known model (nearest in log-size). The LoRA count assumes Llama 3's
/// proportions: key/value width hidden/4 (grouped-query attention) and an MLP width
/// of 3.5·hidden. Rank r on q, k, v, o, gate, up and down then adds
///
///     r·(2 + 1.25 + 1.25 + 2 + 4.5 + 4.5 + 4.5)·hidden = 20·r·hidden   parameters per layer,
///
/// exact for Llama-3.1-8B (r = 16 gives 41.9M, 0.52% of 8B; r = 8 gives 0.26%) and
/// within a factor of about two for the other shapes, which is all a memory
/// estimate needs: LoRA states are a small part of the total.
public struct ModelShape: Sendable, Equatable, Codable {
    public let example: String
    public let paramsB: Double
    public let layers: Int
    public let hidden: Int
    public let vocab: Int

    /// Published shapes, smallest first.
    public static let table: [ModelShape] = [
        ModelShape(example: "SmolLM2-135M", paramsB: 0.135, layers: 30, hidden: 576, vocab: 49_152),
        ModelShape(example: "Gemma-3-270M", paramsB: 0.27, layers: 18, hidden: 640, vocab: 262_144),
        ModelShape(example: "Qwen2.5-0.5B", paramsB: 0.49, layers: 24, hidden: 896, vocab: 151_936),
        ModelShape(example: "Llama-3.2-1B", paramsB: 1.24, layers: 16, hidden: 2048, vocab: 128_256),
        ModelShape(example: "Llama-3.2-3B", paramsB: 3.2, layers: 28, hidden: 3072, vocab: 128_256),
        ModelShape(example: "Llama-3.1-8B", paramsB: 8.0, layers: 32, hidden: 4096, vocab: 128_256),
        ModelShape(example: "Qwen2.5-14B", paramsB: 14.8, layers: 48, hidden: 5120, vocab: 152_064),
        ModelShape(example: "Qwen2.5-32B", paramsB: 32.8, layers: 64, hidden: 5120, vocab: 152_064),
        ModelShape(example: "Llama-3.1-70B", paramsB: 70.6, layers: 80, hidden: 8192, vocab: 128_256),
    ]

    /// The table row nearest to `paramsB` on a log scale.
    public static func nearest(paramsB: Double) -> ModelShape {
        var best = table[0]
        for shape in table where abs(log(shape.paramsB / paramsB)) < abs(log(best.paramsB / paramsB)) {
            best = shape
        }
        return best
    }

    /// LoRA parameters for rank `rank` on all seven linear projections of every layer: 20·r·hidden·layers.
    public func loraParameters(rank: Int) -> Double {
        20 * Double(rank) * Double(hidden) * Double(layers)
    }
}
