import Testing
@testable import Evaluation

@Suite struct MetricsMultipleChoiceTests {
    @Test func accIsArgmaxWithFirstMaxOnTies() {
        #expect(MultipleChoiceScore.acc(logLikelihoods: [-3, -1, -2], gold: 1))
        #expect(!MultipleChoiceScore.acc(logLikelihoods: [-3, -1, -2], gold: 2))
        // numpy argmax returns the first of equal maxima.
        #expect(MultipleChoiceScore.acc(logLikelihoods: [-1, -1], gold: 0))
        #expect(!MultipleChoiceScore.acc(logLikelihoods: [-1, -1], gold: 1))
        #expect(!MultipleChoiceScore.acc(logLikelihoods: [], gold: 0))
    }

    /// The short choice is more likely in total (−6 > −6.5) but less likely per character
    /// (−6/6 = −1.0 < −6.5/13 = −0.5), so acc and acc_norm disagree.
    @Test func accAndAccNormDiffer() {
        let choices = ["Астана", "Алматы қаласы"]   // 6 and 13 scalars
        let lls = [-6.0, -6.5]                        // per char: −1.0 and −0.5
        #expect(MultipleChoiceScore.acc(logLikelihoods: lls, gold: 0))
        #expect(!MultipleChoiceScore.accNorm(logLikelihoods: lls, choices: choices, gold: 0))
        #expect(MultipleChoiceScore.accNorm(logLikelihoods: lls, choices: choices, gold: 1))
    }

    /// Length is Python len(): Unicode scalars. "й" written as "и" + U+0306 is 1 grapheme but
    /// 2 scalars (and 4 UTF-8 bytes); the normalisation must use 2.
    @Test func lengthCountsUnicodeScalars() {
        let decomposed = "и\u{0306}"            // 2 scalars
        let choices = [decomposed, "аб"]       // 2 and 2 scalars
        let lls = [-2.0, -2.2]                  // per scalar: −1.0 vs −1.1 → choice 0
        #expect(MultipleChoiceScore.accNorm(logLikelihoods: lls, choices: choices, gold: 0))
        // Counting graphemes (1) would give −2.0 vs −1.1 and pick choice 1.
        let choices3 = [decomposed, "абв"]     // 2 and 3 scalars: −1.0 vs −0.733 → choice 1
        #expect(MultipleChoiceScore.accNorm(logLikelihoods: lls, choices: choices3, gold: 1))
    }

    @Test func mismatchedCountsAndNaN() {
        #expect(!MultipleChoiceScore.accNorm(logLikelihoods: [-1], choices: ["а", "б"], gold: 0))
        // numpy argmax treats NaN as the maximum.
        #expect(MultipleChoiceScore.acc(logLikelihoods: [-1, .nan, 0], gold: 1))
    }
}
