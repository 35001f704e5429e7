import Testing
@testable import VocabExtension

/// The learner on Sennrich et al.'s toy corpus, over a one-letter-per-token base vocabulary.
@Suite struct VocabularyLearnerTests {
    static let letters = Array("abcdefghijklmnopqrstuvwxyz").map(String.init)

    static func base(extra: Set<String> = [], unmergeable: Set<Int32> = []) -> VocabularyLearner.Base {
        VocabularyLearner.Base(size: letters.count, text: { letters[Int($0)] }, mergeable: { !unmergeable.contains($0) },
                               contains: { letters.contains($0) || extra.contains($0) })
    }

    static func units(_ words: [(String, Int)]) -> [VocabularyLearner.Unit] {
        words.map { w, n in
            VocabularyLearner.Unit(symbols: w.map { Int32(letters.firstIndex(of: String($0))!) }, count: n)
        }
    }

    static let toy = units([("low", 5), ("lower", 2), ("newest", 6), ("widest", 3)])

    @Test func learnsTheMostFrequentPairsInOrder() {
        let learned = VocabularyLearner.learn(units: Self.toy, base: Self.base(), count: 4, minFrequency: 2)
        #expect(learned.map(\.text) == ["es", "est", "lo", "low"])
        #expect(learned.map(\.frequency) == [9, 9, 7, 7])
        #expect(learned.map(\.id) == [26, 27, 28, 29])
        // "est" = "es"(26) + "t"; its base pieces are e, s, t.
        #expect(learned[1].left == 26 && learned[1].right == 19)
        #expect(learned[1].pieces == [4, 18, 19])
        #expect(learned[3].pieces == [11, 14, 22])
    }

    @Test func stopsAtTheMinimumFrequency() {
        let learned = VocabularyLearner.learn(units: Self.toy, base: Self.base(), count: 100, minFrequency: 7)
        #expect(learned.map(\.text) == ["es", "est", "lo", "low"])
        let all = VocabularyLearner.learn(units: Self.toy, base: Self.base(), count: 100, minFrequency: 2)
        #expect(all.count > 4)
        #expect(all.allSatisfy { $0.frequency >= 2 })
        // Counts never increase along the way except where a merge creates a new pair.
        #expect(Set(all.map(\.text)).count == all.count)
    }

    @Test func skipsPairsWhoseTextIsAlreadyAToken() {
        // "es" exists (unreachable with the old merges): the learner does not add it again.
        let learned = VocabularyLearner.learn(units: Self.toy, base: Self.base(extra: ["es"]), count: 2, minFrequency: 2)
        #expect(learned.map(\.text) == ["st", "est"])
        #expect(learned[1].pieces == [4, 18, 19])
    }

    @Test func neverMergesUnmergeableTokens() {
        // 's' (18) is, say, a control token: no pair with it.
        let learned = VocabularyLearner.learn(units: Self.toy, base: Self.base(unmergeable: [18]), count: 50, minFrequency: 2)
        #expect(!learned.isEmpty)
        #expect(learned.allSatisfy { !$0.pieces.contains(18) })
    }

    @Test func mergesOverlappingRunsLeftToRight() {
        // "aaa" ×3: (a,a) is counted at both overlapping places (6, as BPE trainers count),
        // merged once per word from the left (aa·a), leaving (aa,a) 3 times.
        let learned = VocabularyLearner.learn(units: Self.units([("aaa", 3)]), base: Self.base(), count: 2, minFrequency: 2)
        #expect(learned.map(\.text) == ["aa", "aaa"])
        #expect(learned.map(\.frequency) == [6, 3])
        #expect(learned[1].left == 26 && learned[1].right == 0)
    }

    @Test func isDeterministicAcrossUnitOrder() {
        let a = VocabularyLearner.learn(units: Self.toy, base: Self.base(), count: 20, minFrequency: 2)
        let b = VocabularyLearner.learn(units: Self.toy.reversed(), base: Self.base(), count: 20, minFrequency: 2)
        #expect(a == b)
    }

    @Test func emptyCorpusLearnsNothing() {
        #expect(VocabularyLearner.learn(units: [], base: Self.base(), count: 5, minFrequency: 2).isEmpty)
    }
}
