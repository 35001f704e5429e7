import Testing
import Kernels
@testable import Evaluation

@Suite struct MetricsStandardErrorTests {
    /// [1,0,1,1]: mean 3/4; squared deviations 1/16 + 9/16 + 1/16 + 1/16 = 3/4;
    /// sample variance (3/4)/3 = 1/4, stddev 1/2; se = (1/2)/sqrt(4) = 1/4.
    /// Same as sqrt(p(1−p)/(n−1)) = sqrt((3/16)/3) = 1/4. All exact in binary.
    @Test func handComputedMeanAndStderr() {
        let xs: [Double] = [1, 0, 1, 1]
        #expect(StandardError.mean(xs) == 0.75)
        #expect(StandardError.meanStandardError(xs) == 0.25)
        let ci = StandardError.confidenceInterval95(mean: 0.75, stderr: 0.25)
        #expect(abs(ci.low - 0.26) < 1e-12)
        #expect(abs(ci.high - 1.24) < 1e-12)
    }

    /// [2,4,4,4,5,5,7,9]: mean 5, sum of squares 32, sample variance 32/7,
    /// se = sqrt(32/7)/sqrt(8) = sqrt(4/7).
    @Test func handComputedNonBinary() {
        let xs: [Double] = [2, 4, 4, 4, 5, 5, 7, 9]
        #expect(StandardError.mean(xs) == 5)
        #expect(abs(StandardError.meanStandardError(xs) - (4.0 / 7.0).squareRoot()) < 1e-15)
    }

    @Test func binaryStderrFormula() {
        let xs = (0..<50).map { Double($0 % 5 == 0 ? 1 : 0) }  // p = 0.2, n = 50
        let p = 0.2
        #expect(abs(StandardError.meanStandardError(xs) - (p * (1 - p) / 49).squareRoot()) < 1e-15)
    }

    @Test func degenerateInputsAreNaN() {
        #expect(StandardError.mean([]).isNaN)
        #expect(StandardError.meanStandardError([1]).isNaN)
        #expect(StandardError.bootstrap(count: 0) { _ in 0 }.isNaN)
    }

    /// For the mean of a 0/1 vector the bootstrap se estimates sqrt(p(1−p)/n); with 1000
    /// iterations its own relative error is about 1/sqrt(2·1000) ≈ 2%, so 15% is a loose bound.
    @Test func bootstrapAgreesWithAnalyticForMean() {
        let n = 200
        let xs = (0..<n).map { Double($0 % 10 < 3 ? 1 : 0) }  // p = 0.3
        let analytic = StandardError.meanStandardError(xs)
        let boot = StandardError.bootstrap(count: n) { idx in
            idx.reduce(0.0) { $0 + xs[$1] } / Double(idx.count)
        }
        #expect(abs(boot - analytic) / analytic < 0.15, "bootstrap \(boot) vs analytic \(analytic)")
    }

    @Test func bootstrapIsReproducible() {
        let stat: ([Int]) -> Double = { idx in Double(idx.reduce(0, +)) }
        let a = StandardError.bootstrap(count: 30, iterations: 100, seed: 7, statistic: stat)
        let b = StandardError.bootstrap(count: 30, iterations: 100, seed: 7, statistic: stat)
        let c = StandardError.bootstrap(count: 30, iterations: 100, seed: 8, statistic: stat)
        #expect(a == b)
        #expect(a != c)
    }

    /// First outputs of SplitMix64 seeded with 0 (Vigna's reference implementation).
    @Test func splitMixReferenceValues() {
        var g = SplitMix64(seed: 0)
        #expect(g.next() == 0xE220_A839_7B1D_CDAF)
        #expect(g.next() == 0x6E78_9E6A_A1B9_65F4)
        var h = SplitMix64(seed: 1)
        for _ in 0..<1000 {
            let i = h.nextIndex(below: 7)
            #expect((0..<7).contains(i))
        }
    }
}
