/// How the next token is chosen. Defaults follow llama.cpp's `common_params_sampling`.
public struct SamplingParameters: Sendable, Equatable {
    /// 0 (or below) means greedy.
    public var temperature: Float = 0.8
    /// 0 disables top-k.
    public var topK: Int = 40
    /// 1 disables top-p.
    public var topP: Float = 0.95
    /// 0 disables min-p.
    public var minP: Float = 0.05
    /// 1 disables the repetition penalty (divides positive logits, multiplies negative ones).
    public var repetitionPenalty: Float = 1
    /// OpenAI-style: subtracted once from every token already present.
    public var presencePenalty: Float = 0
    /// OpenAI-style: subtracted per occurrence.
    public var frequencyPenalty: Float = 0
    /// How many recent tokens the penalties look at (-1 = all).
    public var penaltyWindow: Int = 64
    /// Added to logits before anything else.
    public var logitBias: [Int32: Float] = [:]
    /// Nil picks a random seed.
    public var seed: UInt64?

    public init() {}

    public static var greedy: SamplingParameters {
        var p = SamplingParameters()
        p.temperature = 0
        return p
    }

    public var isGreedy: Bool { temperature <= 0 }
}
