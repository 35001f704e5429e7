import Foundation

/// Picks the next token from logits: bias → penalties → (greedy | top-k →
/// top-p → min-p → temperature → seeded draw), in llama.cpp's order.
public struct Sampler: Sendable {
    public let parameters: SamplingParameters
    private var rng: Xoshiro256

    public init(_ parameters: SamplingParameters) {
        self.parameters = parameters
        rng = Xoshiro256(seed: parameters.seed ?? UInt64.random(in: .min ... .max))
    }

    /// Chooses a token. `history` is prompt + generated tokens so far.
    public mutating func sample(_ logits: [Float], history: [Int32]) -> Int32 {
        var logits = logits
        applyBiasAndPenalties(&logits, history: history)
        if parameters.isGreedy { return Int32(Self.argmax(logits)) }

        // Candidates sorted by logit, descending.
        var ids = Array(0..<logits.count)
        let k = parameters.topK > 0 ? min(parameters.topK, ids.count) : ids.count
        if k < ids.count {
            ids = Self.topIndices(logits, k)
        } else {
            ids.sort { logits[$0] > logits[$1] }
        }
        // Softmax over candidates (at temperature 1, as llama.cpp's top-p/min-p see it).
        var probs = Self.softmax(ids.map { logits[$0] })
        if parameters.topP < 1 {
            var cumulative: Float = 0
            var keep = probs.count
            for (i, p) in probs.enumerated() {
                cumulative += p
                if cumulative >= parameters.topP { keep = i + 1; break }
            }
            ids.removeSubrange(keep...)
            probs = Self.softmax(ids.map { logits[$0] })
        }
        if parameters.minP > 0, let top = probs.first {
            let threshold = top * parameters.minP
            let keep = max(1, probs.prefix { $0 >= threshold }.count)
            ids.removeSubrange(keep...)
        }
        let tempered = Self.softmax(ids.map { logits[$0] / parameters.temperature })
        let r = Float(rng.nextDouble())
        var cumulative: Float = 0
        for (i, p) in tempered.enumerated() {
            cumulative += p
            if r < cumulative { return Int32(ids[i]) }
        }
        return Int32(ids[ids.count - 1])
    }

    /// Logit bias, repetition penalty and OpenAI presence/frequency penalties, in place.
    public func applyBiasAndPenalties(_ logits: inout [Float], history: [Int32]) {
        for (id, bias) in parameters.logitBias where Int(id) < logits.count && id >= 0 {
            logits[Int(id)] += bias
        }
        let p = parameters
        guard p.repetitionPenalty != 1 || p.presencePenalty != 0 || p.frequencyPenalty != 0 else { return }
        let window = p.penaltyWindow < 0 ? history[...] : history.suffix(p.penaltyWindow)
        var counts: [Int32: Int] = [:]
        for t in window { counts[t, default: 0] += 1 }
        for (id, count) in counts where id >= 0 && Int(id) < logits.count {
            let i = Int(id)
            if logits[i] > 0 { logits[i] /= p.repetitionPenalty } else { logits[i] *= p.repetitionPenalty }
            logits[i] -= Float(count) * p.frequencyPenalty + p.presencePenalty
        }
    }

    public static func argmax(_ x: [Float]) -> Int {
        var best = 0
        for i in 1..<max(x.count, 1) where x[i] > x[best] { best = i }
        return best
    }

    /// Indices of the k largest values, sorted descending (ties: lower id first).
    static func topIndices(_ x: [Float], _ k: Int) -> [Int] {
        var heap: [Int] = []
        heap.reserveCapacity(k + 1)
        for i in 0..<x.count {
            if heap.count < k {
                heap.append(i)
                if heap.count == k { heap.sort { x[$0] > x[$1] || (x[$0] == x[$1] && $0 < $1) } }
            } else if x[i] > x[heap[k - 1]] {
                var j = k - 1
                while j > 0 && x[heap[j - 1]] < x[i] { heap[j] = heap[j - 1]; j -= 1 }
                heap[j] = i
            }
        }
        if heap.count < k { heap.sort { x[$0] > x[$1] } }
        return heap
    }

    public static func softmax(_ x: [Float]) -> [Float] {
        guard let m = x.max() else { return [] }
        let e = x.map { expf($0 - m) }
        let s = e.reduce(0, +)
        return e.map { $0 / s }
    }

    /// log-softmax of all logits (for logprobs).
    public static func logSoftmax(_ x: [Float]) -> [Float] {
        guard let m = x.max() else { return [] }
        var s: Double = 0
        for v in x { s += Double(expf(v - m)) }
        let lse = m + Float(log(s))
        return x.map { $0 - lse }
    }
}

/// xoshiro256** seeded through SplitMix64: fast, reproducible across platforms.
struct Xoshiro256: Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    init(seed: UInt64) {
        var z = seed
        func split() -> UInt64 {
            z &+= 0x9E37_79B9_7F4A_7C15
            var r = z
            r = (r ^ (r >> 30)) &* 0xBF58_476D_1CE4_E5B9
            r = (r ^ (r >> 27)) &* 0x94D0_49BB_1331_11EB
            return r ^ (r >> 31)
        }
        s = (split(), split(), split(), split())
    }

    mutating func next() -> UInt64 {
        let result = ((s.1 &* 5) << 7 | (s.1 &* 5) >> 57) &* 9
        let t = s.1 << 17
        s.2 ^= s.0; s.3 ^= s.1; s.1 ^= s.2; s.0 ^= s.3
        s.2 ^= t
        s.3 = (s.3 << 45) | (s.3 >> 19)
        return result
    }

    /// Uniform in [0, 1).
    mutating func nextDouble() -> Double { Double(next() >> 11) * 0x1.0p-53 }
}
