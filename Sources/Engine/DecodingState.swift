import Tokenizers

/// One sequence's generation after its prompt: sampling, detokenizing,
/// stop strings and limits. Shared by ``TextGenerator`` (one sequence) and
/// ``BatchScheduler`` (many), so both end generation by the same rules.
public struct DecodingState: Sendable {
    private var sampler: Sampler
    private var decoder: StreamingDecoder
    private var matcher: StopMatcher
    private let endOfGeneration: Set<Int32>
    public let maxTokens: Int
    public private(set) var history: [Int32]
    public private(set) var generated: [Int32] = []
    public private(set) var text = ""

    /// What one step decided.
    public struct Step: Sendable {
        /// The sampled token when it becomes part of the output (not EOS).
        public var token: Int32?
        /// Text now safe to show (may be empty mid-character or mid-stop-string).
        public var piece: String
        /// Set when generation ends with this step.
        public var finish: FinishReason?
    }

    public init(prompt: [Int32], maxTokens: Int, sampling: SamplingParameters, stop: [String], tokenizer: any Tokenizer) {
        sampler = Sampler(sampling)
        decoder = StreamingDecoder(tokenizer: tokenizer)
        matcher = StopMatcher(stop)
        endOfGeneration = tokenizer.endOfGenerationIDs
        self.maxTokens = maxTokens
        history = prompt
    }

    /// Samples the next token from `logits` and applies the stop rules.
    public mutating func step(_ logits: [Float]) -> Step {
        if generated.count >= maxTokens { return Step(token: nil, piece: flush(), finish: .length) }
        let token = sampler.sample(logits, history: history)
        if endOfGeneration.contains(token) { return Step(token: nil, piece: flush(), finish: .stop) }
        generated.append(token)
        history.append(token)
        let (piece, stopped) = matcher.feed(decoder.append(token))
        text += piece
        if stopped { return Step(token: token, piece: piece, finish: .stop) }
        if generated.count >= maxTokens { return Step(token: token, piece: piece + flush(), finish: .length) }
        return Step(token: token, piece: piece, finish: nil)
    }

    /// Ends generation from outside (the context is full): the held-back text.
    public mutating func finishForLength() -> String { flush() }

    /// Bytes of an unfinished character and stop-string prefixes that never completed.
    private mutating func flush() -> String {
        let (rest, _) = matcher.feed(decoder.flush())
        let tail = rest + matcher.finish()
        text += tail
        return tail
    }
}
