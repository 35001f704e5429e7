import Foundation
import Kernels
import Models
import Tokenizers

/// Why generation ended, in OpenAI's words.
public enum FinishReason: String, Sendable {
    case stop
    case length
    case cancelled
}

/// Timings of one generation, for stderr and `usage`.
public struct GenerationTimings: Sendable {
    public var promptTokens = 0
    public var promptSeconds = 0.0
    public var generatedTokens = 0
    public var generationSeconds = 0.0
    public var promptTokensPerSecond: Double { promptSeconds > 0 ? Double(promptTokens) / promptSeconds : 0 }
    public var generationTokensPerSecond: Double { generationSeconds > 0 ? Double(generatedTokens) / generationSeconds : 0 }
}

public struct GenerationResult: Sendable {
    public var text: String
    public var tokens: [Int32]
    public var finishReason: FinishReason
    public var timings: GenerationTimings
    /// The pooled, L2-normalized embedding of the prompt, for embedding requests.
    public var embedding: [Float]?

    public init(text: String, tokens: [Int32], finishReason: FinishReason, timings: GenerationTimings, embedding: [Float]? = nil) {
        self.text = text
        self.tokens = tokens
        self.finishReason = finishReason
        self.timings = timings
        self.embedding = embedding
    }
}

/// Errors a generation request can hit.
public enum GenerationError: Error, Equatable, CustomStringConvertible {
    case emptyPrompt
    case promptTooLong(tokens: Int, context: Int)

    public var description: String {
        switch self {
        case .emptyPrompt: return "the prompt is empty (no tokens)"
        case let .promptTooLong(t, c): return "the prompt has \(t) tokens but the context holds \(c); shorten it or raise --ctx"
        }
    }
}

/// Runs a model with a tokenizer: prompt → streamed text.
///
/// One generator owns one KV cache (one sequence). It reuses the longest
/// cached prefix of the previous prompt, so multi-turn chat only evaluates the
/// new turn.
public final class TextGenerator: @unchecked Sendable {
    // @unchecked: used by one task at a time (the CLI loop or a scheduler slot).
    public let model: Transformer
    public let tokenizer: any Tokenizer
    public let pool: ThreadPool
    public let cache: KVCache
    /// Tokens whose keys/values are in `cache`, in order.
    public private(set) var cachedTokens: [Int32] = []
    /// Prompt micro-batch size.
    public var batchSize = 256
    /// LoRA adapters applied to every forward pass (set before the first prompt).
    public var adapters: AdapterStack? {
        // Cached keys and values were computed without these adapters.
        didSet { cache.truncate(to: 0); cachedTokens = [] }
    }

    public init(model: Transformer, tokenizer: any Tokenizer, pool: ThreadPool, contextLength: Int) {
        self.model = model
        self.tokenizer = tokenizer
        self.pool = pool
        cache = model.makeCache(capacity: contextLength)
    }

    public var contextLength: Int { cache.capacity }

    /// Evaluates `prompt` (reusing the cached prefix) and returns the last logits.
    public func prefill(_ prompt: [Int32]) throws -> [Float] {
        guard !prompt.isEmpty else { throw GenerationError.emptyPrompt }
        guard prompt.count <= cache.capacity else {
            throw GenerationError.promptTooLong(tokens: prompt.count, context: cache.capacity)
        }
        var common = 0
        while common < min(prompt.count, cachedTokens.count), prompt[common] == cachedTokens[common] { common += 1 }
        // Always recompute at least the last token to get its logits.
        if common == prompt.count { common -= 1 }
        cache.truncate(to: common)
        cachedTokens.removeSubrange(common...)
        var logits: [Float] = []
        var i = common
        while i < prompt.count {
            let chunk = Array(prompt[i..<min(i + batchSize, prompt.count)])
            let last = i + chunk.count == prompt.count
            logits = try model.forward(chunk, cache: cache, pool: pool, logits: last ? .last : .none, adapters: adapters)
            cachedTokens += chunk
            i += chunk.count
        }
        return logits
    }

    /// Generates after `prompt`. `onText` receives each safe-to-show piece of
    /// text and returns false to cancel.
    public func generate(prompt: [Int32], maxTokens: Int, sampling: SamplingParameters, stop: [String] = [],
                         onText: (String) -> Bool = { _ in true }) throws -> GenerationResult {
        var timings = GenerationTimings()
        let t0 = Date()
        var logits = try prefill(prompt)
        timings.promptTokens = prompt.count
        timings.promptSeconds = Date().timeIntervalSince(t0)

        var state = DecodingState(prompt: prompt, maxTokens: maxTokens, sampling: sampling, stop: stop, tokenizer: tokenizer)
        var reason = FinishReason.length
        let t1 = Date()
        while true {
            let step = state.step(logits)
            if !step.piece.isEmpty, !onText(step.piece) { reason = .cancelled; break }
            if let finish = step.finish { reason = finish; break }
            guard let token = step.token else { break }
            if cache.count >= cache.capacity {
                let tail = state.finishForLength()
                if !tail.isEmpty { _ = onText(tail) }
                reason = .length
                break
            }
            logits = try model.forward([token], cache: cache, pool: pool, logits: .last, adapters: adapters)
            cachedTokens.append(token)
        }
        let generated = state.generated
        let text = state.text
        timings.generatedTokens = generated.count
        timings.generationSeconds = Date().timeIntervalSince(t1)
        return GenerationResult(text: text, tokens: generated, finishReason: reason, timings: timings)
    }
}
