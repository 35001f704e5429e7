import Testing
@testable import Engine

@Suite struct SamplerTests {
    let logits: [Float] = [1, 5, 3, 4.5, -2, 0]

    @Test func greedyPicksArgmax() {
        var s = Sampler(.greedy)
        #expect(s.sample(logits, history: []) == 1)
    }

    @Test func sameSeedSameTokens() {
        var p = SamplingParameters()
        p.temperature = 1.5
        p.topK = 0
        p.topP = 1
        p.minP = 0
        p.seed = 7
        var a = Sampler(p), b = Sampler(p)
        let ta = (0..<50).map { _ in a.sample(logits, history: []) }
        let tb = (0..<50).map { _ in b.sample(logits, history: []) }
        #expect(ta == tb)
        #expect(Set(ta).count > 2, "high temperature should explore")
    }

    @Test func topKOneIsGreedy() {
        var p = SamplingParameters()
        p.topK = 1
        p.temperature = 5
        p.seed = 1
        var s = Sampler(p)
        for _ in 0..<20 { #expect(s.sample(logits, history: []) == 1) }
    }

    @Test func topPKeepsOnlyTheNucleus() {
        var p = SamplingParameters()
        p.topK = 0
        p.topP = 0.5       // token 1 alone has ~0.55 of the mass
        p.minP = 0
        p.temperature = 1
        p.seed = 3
        var s = Sampler(p)
        for _ in 0..<30 { #expect(s.sample(logits, history: []) == 1) }
    }

    @Test func minPDropsUnlikelyTokens() {
        var p = SamplingParameters()
        p.topK = 0
        p.topP = 1
        p.minP = 0.5       // keeps tokens with p >= 0.5 * p(top): ids 1 and 3
        p.temperature = 1
        p.seed = 11
        var s = Sampler(p)
        let seen = Set((0..<200).map { _ in s.sample(logits, history: []) })
        #expect(seen == [1, 3])
    }

    @Test func penaltiesAndBias() {
        var p = SamplingParameters.greedy
        p.repetitionPenalty = 10
        let s = Sampler(p)
        var l = logits
        s.applyBiasAndPenalties(&l, history: [1])
        #expect(l[1] == 0.5)
        var q = SamplingParameters.greedy
        q.presencePenalty = 1
        q.frequencyPenalty = 0.5
        q.logitBias = [4: 100]
        var l2 = logits
        Sampler(q).applyBiasAndPenalties(&l2, history: [3, 3])
        #expect(l2[3] == 4.5 - 1 - 1)
        #expect(l2[4] == 98)
        var greedy = Sampler(q)
        #expect(greedy.sample(logits, history: [3, 3]) == 4)
    }

    @Test func logSoftmaxNormalizes() {
        let lp = Sampler.logSoftmax(logits)
        let total = lp.map { Double($0).exp }.reduce(0, +)
        #expect(abs(total - 1) < 1e-5)
    }
}

private extension Double { var exp: Double { Foundation.exp(self) } }
import Foundation
