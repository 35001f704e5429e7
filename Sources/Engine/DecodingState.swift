import StructuredOutput
import Tokenizers

/// One sequence's generation after its prompt: sampling, detokenizing,
/// stop strings and limits. Shared by ``TextGenerator`` (one sequence) and
/// ``BatchScheduler`` (many), so both end generation by the same rules.
public struct DecodingState: Sendable {
    private var sampler: Sampler
    private var decoder: StreamingDecoder
    private var matcher: StopMatcher
    private let endOfGeneration: Set<Int32>
    private let tokenizer: any Tokenizer
    /// Set for `response_format: json_object` / `json_schema`: tokens that would leave
    /// the format are masked.
    private var json: OutputConstraint?
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

    public init(prompt: [Int32], maxTokens: Int, sampling: SamplingParameters, stop: [String], tokenizer: any Tokenizer,
                jsonObject: Bool = false, jsonSchema: CompiledSchema? = nil, toolCalls: ToolCallPlan? = nil) {
        self.tokenizer = tokenizer
        if let toolCalls {
            json = .tools(ToolCallConstraint(toolCalls))
        } else {
            json = jsonSchema.map { .schema(SchemaMatcher($0)) } ?? (jsonObject ? .object(JSONPrefixValidator()) : nil)
        }
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
        let token = json == nil ? sampler.sample(logits, history: history) : sampleJSON(logits)
        if endOfGeneration.contains(token) { return Step(token: nil, piece: flush(), finish: .stop) }
        generated.append(token)
        history.append(token)
        let (piece, stopped) = matcher.feed(decoder.append(token))
        text += piece
        if stopped { return Step(token: token, piece: piece, finish: .stop) }
        if json?.isComplete == true { return Step(token: token, piece: piece + flush(), finish: .stop) }
        if generated.count >= maxTokens { return Step(token: token, piece: piece + flush(), finish: .length) }
        return Step(token: token, piece: piece, finish: nil)
    }

    /// Samples as usual, but rejects tokens that would not continue the JSON
    /// (and end-of-generation before it is whole): a few resamples with
    /// the rejected token masked keep the sampling distribution, then the best
    /// valid token by logit, so generation never stalls.
    private mutating func sampleJSON(_ logits: [Float]) -> Int32 {
        guard var validator = json else { return sampler.sample(logits, history: history) }
        var masked = logits
        func accept(_ token: Int32) -> Bool {
            if endOfGeneration.contains(token) { return validator.canEnd }
            let bytes = tokenizer.pieceBytes(token, special: false)
            return !bytes.isEmpty && validator.append(bytes)
        }
        // Greedy: every resample would be the next argmax, so go straight to logit order.
        for _ in 0..<(sampler.parameters.isGreedy ? 1 : 8) {
            let token = sampler.sample(masked, history: history)
            if accept(token) { json = validator; return token }
            masked[Int(token)] = -.infinity
        }
        // The best valid token by logit: the top 256 first (one pass over the vocabulary),
        // the full order only when none of them fits.
        sampler.applyBiasAndPenalties(&masked, history: history)
        let top = Sampler.topIndices(masked, min(256, masked.count))
        for i in top where masked[i] > -.infinity && accept(Int32(i)) { json = validator; return Int32(i) }
        for i in top { masked[i] = -.infinity }
        let order = masked.indices.filter { masked[$0] > -.infinity }.sorted { masked[$0] > masked[$1] }
        for i in order where accept(Int32(i)) { json = validator; return Int32(i) }
        // Nothing in the vocabulary continues the JSON: end, and the caller reports invalid JSON.
        return endOfGeneration.first ?? 0
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

/// The output formats decoding can enforce, byte by byte.
enum OutputConstraint: Sendable {
    case object(JSONPrefixValidator)
    case schema(SchemaMatcher)
    case tools(ToolCallConstraint)

    mutating func append(_ bytes: [UInt8]) -> Bool {
        switch self {
        case var .object(v):
            defer { self = .object(v) }
            return v.append(bytes)
        case var .schema(m):
            defer { self = .schema(m) }
            return m.append(bytes)
        case var .tools(t):
            defer { self = .tools(t) }
            return t.append(bytes)
        }
    }

    /// Nothing can follow: generation stops here.
    var isComplete: Bool {
        switch self {
        case let .object(v): return v.isComplete
        case let .schema(m): return m.isComplete
        case let .tools(t): return t.isComplete
        }
    }

    /// End-of-generation is allowed now.
    var canEnd: Bool {
        switch self {
        case let .object(v): return v.isComplete
        case let .schema(m): return m.canEnd
        case let .tools(t): return t.canEnd
        }
    }
}
