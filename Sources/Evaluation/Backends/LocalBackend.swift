import Engine
import Foundation
import Kernels
import Models
import Tokenizers

/// A GGUF model on this machine, optionally with LoRA adapters.
///
/// Keeps one KV cache and reuses the longest prefix shared with the previous
/// request, so the choices of a multiple-choice question pay for their common
/// context once.
public final class LocalBackend: ScoringBackend, @unchecked Sendable {
    // @unchecked: calls are serialized by `lock`; the model is immutable.
    public let identity: ModelIdentity
    public let model: LoadedModel
    public let adapters: AdapterStack?
    private let pool: ThreadPool
    private let cache: KVCache
    private var cachedTokens: [Int32] = []
    private let lock = NSLock()
    /// Rows per forward pass: llama.cpp's micro-batch, so long prompts are
    /// processed in the same pieces `aqyl serve` and llama-perplexity use.
    static let chunk = 512

    public init(model: LoadedModel, adapters: AdapterStack? = nil, adapterNames: [String] = [], threads: Int,
                context: Int? = nil, label: String? = nil) {
        self.model = model
        self.adapters = adapters
        pool = ThreadPool(threads: threads)
        cache = model.transformer.makeCache(capacity: model.contextLength(requested: context))
        let name = ((model.path as NSString).lastPathComponent as NSString).deletingPathExtension
        identity = ModelIdentity(label: label ?? name, location: "local", model: model.path, adapters: adapterNames)
    }

    public var contextLength: Int { cache.capacity }

    public var prefixToken: Int32 { model.tokenizer.bosID ?? model.tokenizer.eosID ?? 0 }

    public func tokenize(_ text: String, addSpecial: Bool) async throws -> [Int32] {
        model.tokenizer.encode(text, addSpecial: addSpecial, parseSpecial: false)
    }

    public func score(_ tokens: [Int32], from: Int) async throws -> TokenScores {
        try lock.withLock { try scoreLocked(tokens, from: from) }
    }

    /// Row `p` of the forward pass predicts `tokens[p + 1]`; only rows `from - 1 ..< n - 1` need logits.
    private func scoreLocked(_ tokens: [Int32], from: Int) throws -> TokenScores {
        let n = tokens.count
        guard from >= 1, from <= n else { throw EvaluationError.invalidOption("nothing to score (from \(from) of \(n) tokens)") }
        guard n - 1 <= cache.capacity else {
            throw EvaluationError.invalidOption("\(n - 1) tokens do not fit the context of \(cache.capacity)")
        }
        var start = 0
        while start < min(cachedTokens.count, from - 1), cachedTokens[start] == tokens[start] { start += 1 }
        cache.truncate(to: start)
        cachedTokens.removeSubrange(start...)

        let vocab = model.config.vocabulary
        var scores = TokenScores()
        scores.logprobs.reserveCapacity(n - from)
        var i = start
        while i < n - 1 {
            let end = min(i + Self.chunk, n - 1)
            var rows: [Transformer.BatchRow] = []
            var logitRows: [Int] = []
            for p in i..<end {
                if p >= from - 1 { logitRows.append(rows.count) }
                rows.append(.init(token: tokens[p], cache: cache, position: p, adapters: adapters))
            }
            let logits = try model.transformer.forwardBatch(rows, logitRows: logitRows, pool: pool)
            cachedTokens += tokens[i..<end]
            logits.withUnsafeBufferPointer { all in
                for (k, r) in logitRows.enumerated() {
                    let row = UnsafeBufferPointer(rebasing: all[(k * vocab)..<((k + 1) * vocab)])
                    // The engine's log-softmax, the one `aqyl serve` reports: local and endpoint agree by construction.
                    let entry = TokenLogprob.compute(row, token: tokens[i + r + 1], top: 1)
                    scores.logprobs.append(Double(entry.logprob))
                    scores.greedy.append(entry.top.first.map { $0.logprob <= entry.logprob } ?? false)
                }
            }
            i = end
        }
        return scores
    }

    public func generate(_ prompt: String, maxTokens: Int, stop: [String]) async throws -> String {
        try lock.withLock { try generateLocked(prompt, maxTokens: maxTokens, stop: stop) }
    }

    /// Generation keeps a cache of its own (made on first use), so scoring's cached prefix survives it.
    private var generator: TextGenerator?

    private func generateLocked(_ prompt: String, maxTokens: Int, stop: [String]) throws -> String {
        let generator = self.generator ?? {
            let g = TextGenerator(model: model.transformer, tokenizer: model.tokenizer, pool: pool, contextLength: cache.capacity)
            g.adapters = adapters
            return g
        }()
        self.generator = generator
        var ids = model.tokenizer.encode(prompt, addSpecial: true, parseSpecial: false)
        let room = cache.capacity - maxTokens
        if ids.count > room { ids = Array(ids.suffix(max(1, room))) }
        let result = try generator.generate(prompt: ids, maxTokens: maxTokens, sampling: .greedy, stop: stop)
        return result.text
    }
}
