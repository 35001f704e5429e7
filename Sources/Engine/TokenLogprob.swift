import Foundation

/// The log-probability of one token under the model, with the most likely
/// alternatives at that position. Computed from the raw logits (before bias,
/// penalties or temperature), as vLLM reports them, so scores are comparable
/// across sampling settings.
public struct TokenLogprob: Sendable, Equatable {
    public var token: Int32
    public var logprob: Float
    /// The `top` most likely tokens at this position, most likely first.
    public var top: [Alternative]

    public struct Alternative: Sendable, Equatable {
        public var token: Int32
        public var logprob: Float
    }

    /// log-softmax of `logits` at `token`, and the `top` best alternatives.
    /// - Complexity: O(vocab · top).
    public static func compute(_ logits: UnsafeBufferPointer<Float>, token: Int32, top: Int) -> TokenLogprob {
        var maxLogit = -Float.infinity
        for v in logits where v > maxLogit { maxLogit = v }
        // Double for the sum: 150k terms in Float lose digits lm-eval's sums can see.
        var sum = 0.0
        for v in logits { sum += Double(expf(v - maxLogit)) }
        let logZ = Float(log(sum)) + maxLogit
        var best: [Alternative] = []
        if top > 0 {
            best.reserveCapacity(top + 1)
            for (i, v) in logits.enumerated() where best.count < top || v > best[best.count - 1].logprob {
                let entry = Alternative(token: Int32(i), logprob: v)
                let at = best.firstIndex { $0.logprob < v } ?? best.count
                best.insert(entry, at: at)
                if best.count > top { best.removeLast() }
            }
            for i in best.indices { best[i].logprob -= logZ }
        }
        let index = Int(token)
        let chosen = index >= 0 && index < logits.count ? logits[index] - logZ : -Float.infinity
        return TokenLogprob(token: token, logprob: chosen, top: best)
    }
}
