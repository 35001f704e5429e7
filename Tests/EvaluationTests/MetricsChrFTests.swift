import Foundation
import Testing
@testable import Evaluation

/// chrF / chrF++ against sacrebleu goldens (Tests/Fixtures/eval/chrf.json, written by
/// scripts/make_chrf_fixtures.py) plus small cases worked out by hand.
@Suite struct MetricsChrFTests {
    struct Fixture: Decodable {
        struct Case: Decodable {
            let name: String
            let hypothesis: String
            let references: [String]
            let chrf: Double
            let chrf_pp: Double
        }
        struct Corpus: Decodable {
            let chrf: Double
            let chrf_pp: Double
        }
        let sacrebleu_version: String
        let corpus: Corpus
        let cases: [Case]
    }

    /// Repository root: this file is <root>/Tests/EvaluationTests/MetricsChrFTests.swift.
    static func loadFixture() throws -> Fixture {
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let data = try Data(contentsOf: root.appendingPathComponent("Tests/Fixtures/eval/chrf.json"))
        return try JSONDecoder().decode(Fixture.self, from: data)
    }

    /// The Swift code performs the same integer counts and the same floating-point operations
    /// in the same order as sacrebleu, and JSON carries Python's shortest round-trip repr, so the
    /// scores should agree to the last bit. 1e-9 (on a 0–100 scale) leaves room only for a
    /// different summation order, never for a counting difference (the smallest possible
    /// counting change moves a score by far more than 1e-6).
    static let tolerance = 1e-9

    @Test func sentenceScoresMatchSacrebleu() throws {
        let fixture = try Self.loadFixture()
        #expect(fixture.cases.count >= 25)
        var maxDelta = 0.0
        for c in fixture.cases {
            let chrf = ChrF.chrF.sentenceScore(hypothesis: c.hypothesis, references: c.references)
            let chrfpp = ChrF.chrFPlusPlus.sentenceScore(hypothesis: c.hypothesis, references: c.references)
            #expect(abs(chrf - c.chrf) < Self.tolerance, "chrF \(c.name): \(chrf) vs \(c.chrf)")
            #expect(abs(chrfpp - c.chrf_pp) < Self.tolerance, "chrF++ \(c.name): \(chrfpp) vs \(c.chrf_pp)")
            maxDelta = max(maxDelta, abs(chrf - c.chrf), abs(chrfpp - c.chrf_pp))
        }
        print("chrF sentence max |Δ| vs sacrebleu \(fixture.sacrebleu_version): \(maxDelta)")
    }

    @Test func corpusScoresMatchSacrebleu() throws {
        let fixture = try Self.loadFixture()
        let hyps = fixture.cases.map(\.hypothesis)
        let refs = fixture.cases.map(\.references)
        let chrf = ChrF.chrF.corpusScore(hypotheses: hyps, references: refs)
        let chrfpp = ChrF.chrFPlusPlus.corpusScore(hypotheses: hyps, references: refs)
        #expect(abs(chrf - fixture.corpus.chrf) < Self.tolerance, "\(chrf) vs \(fixture.corpus.chrf)")
        #expect(abs(chrfpp - fixture.corpus.chrf_pp) < Self.tolerance, "\(chrfpp) vs \(fixture.corpus.chrf_pp)")
        print("chrF corpus |Δ| \(abs(chrf - fixture.corpus.chrf)), chrF++ corpus |Δ| \(abs(chrfpp - fixture.corpus.chrf_pp))")
    }

    /// Corpus score is the f-score of summed sentence statistics, not a mean of sentence scores.
    @Test func corpusIsScoreOfSummedStatistics() {
        let metric = ChrF.chrFPlusPlus
        let hyps = ["Мен үйге бардым.", "Ол кітап оқыды."]
        let refs = [["Мен үйге кеттім."], ["Ол кітап оқып отыр."]]
        let summed = metric.statistics(hypothesis: hyps[0], references: refs[0])
            + metric.statistics(hypothesis: hyps[1], references: refs[1])
        #expect(summed.orders == 8)
        #expect(metric.corpusScore(hypotheses: hyps, references: refs) == metric.score(summed))
        #expect(summed + ChrFStatistics(orders: 0) == summed)
    }

    /// charOrder 2, no words, beta 2; hypothesis "ab", reference "abc".
    /// order 1: hyp {a,b}=2, ref {a,b,c}=3, match 2 → P = 1, R = 2/3
    /// order 2: hyp {ab}=1,  ref {ab,bc}=2, match 1 → P = 1, R = 1/2
    /// avgP = 1, avgR = (2/3 + 1/2)/2 = 7/12
    /// F2 = (1+4)·P·R / (4·P + R) = (35/12) / (55/12) = 7/11 → 63.6363…
    @Test func handComputedTwoCharOrders() {
        let metric = ChrF(charOrder: 2, wordOrder: 0)
        let s = metric.statistics(hypothesis: "ab", references: ["abc"])
        #expect(s == ChrFStatistics(hypothesisCounts: [2, 1], referenceCounts: [3, 2], matchCounts: [2, 1]))
        #expect(abs(metric.score(s) - 700.0 / 11.0) < 1e-12)
    }

    /// Effective order: hypothesis "a" has no bigrams, so order 2 is left out of the average
    /// instead of counting as 0. order 1: P = 1, R = 1/2 → F2 = 2.5 / 4.5 = 5/9 → 55.5…
    @Test func handComputedEffectiveOrder() {
        let metric = ChrF(charOrder: 2, wordOrder: 0)
        let s = metric.statistics(hypothesis: "a", references: ["a b"])
        // Whitespace is removed before character n-grams, so "a b" has the bigram "ab".
        #expect(s == ChrFStatistics(hypothesisCounts: [1, 0], referenceCounts: [2, 1], matchCounts: [1, 0]))
        #expect(abs(metric.score(s) - 500.0 / 9.0) < 1e-12)
    }

    /// charOrder 1, wordOrder 1; hypothesis "ab.", reference "ab".
    /// chars: hyp {a,b,.}=3, ref {a,b}=2, match 2 → P = 2/3, R = 1
    /// words: "ab." splits into "ab" "." → hyp 2, ref 1, match 1 → P = 1/2, R = 1
    /// avgP = 7/12, avgR = 1 → F2 = 5·(7/12) / (4·7/12 + 1) = 35/40 → 87.5
    @Test func handComputedWordOrder() {
        let metric = ChrF(charOrder: 1, wordOrder: 1)
        let s = metric.statistics(hypothesis: "ab.", references: ["ab"])
        #expect(s == ChrFStatistics(hypothesisCounts: [3, 2], referenceCounts: [2, 1], matchCounts: [2, 1]))
        #expect(abs(metric.score(s) - 87.5) < 1e-12)
    }

    @Test func punctuationSplittingMatchesSacrebleu() {
        func words(_ s: String) -> [String] {
            ChrF.removePunctuation(s).map { w in
                String(String.UnicodeScalarView(w.compactMap(Unicode.Scalar.init)))
            }
        }
        #expect(words("(hi) end. ,x «а» ?") == ["(hi", ")", "end", ".", ",", "x", "«а»", "?"])
    }

    @Test func emptyInputs() {
        #expect(ChrF.chrF.sentenceScore(hypothesis: "", references: ["абв"]) == 0)
        #expect(ChrF.chrF.sentenceScore(hypothesis: "абв", references: []) == 0)
        #expect(ChrF.chrF.statistics(hypothesis: "абв", references: []) == ChrFStatistics(orders: 6))
        #expect(ChrF.chrF.corpusScore(hypotheses: [], references: []) == 0)
    }
}
