import Foundation
import Kernels

/// Standard errors for evaluation scores, defined as in lm-evaluation-harness
/// (lm_eval/api/metrics.py, 0.4.x): `mean`, `sample_stddev`, `mean_stderr`.
public enum StandardError {
    /// Arithmetic mean, `sum(xs) / len(xs)` summed left to right. NaN for an empty array
    /// (Python would raise).
    public static func mean(_ xs: [Double]) -> Double {
        guard !xs.isEmpty else { return .nan }
        return xs.reduce(0, +) / Double(xs.count)
    }

    /// Sample standard deviation (divisor n − 1). NaN when n < 2.
    public static func sampleStandardDeviation(_ xs: [Double]) -> Double {
        guard xs.count >= 2 else { return .nan }
        let mu = mean(xs)
        let squares = xs.reduce(0.0) { $0 + ($1 - mu) * ($1 - mu) }
        return (squares / Double(xs.count - 1)).squareRoot()
    }

    /// Standard error of the mean: sample stddev (n − 1) / sqrt(n), exactly lm-eval's
    /// `mean_stderr`. For 0/1 scores with accuracy p this equals sqrt(p(1 − p) / (n − 1)),
    /// slightly larger than the textbook sqrt(p(1 − p) / n). NaN when n < 2.
    public static func meanStandardError(_ xs: [Double]) -> Double {
        guard xs.count >= 2 else { return .nan }
        return sampleStandardDeviation(xs) / Double(xs.count).squareRoot()
    }

    /// Bootstrap standard error of `statistic` over `n` items: `iterations` times, draw `n`
    /// indices in `0..<n` with replacement (seeded SplitMix64, so the result is reproducible)
    /// and evaluate `statistic` on them; return the sample stddev (n − 1) of those values.
    /// This is for statistics without a closed-form error, e.g. corpus chrF, where
    /// `statistic` sums the chosen sentences' `ChrFStatistics`. NaN when `n < 1` or
    /// `iterations < 2`.
    public static func bootstrap(
        count n: Int, iterations: Int = 1000, seed: UInt64 = 1234,
        statistic: ([Int]) -> Double
    ) -> Double {
        guard n >= 1, iterations >= 2 else { return .nan }
        var generator = SplitMix64(seed: seed)
        var values: [Double] = []
        values.reserveCapacity(iterations)
        var indices = [Int](repeating: 0, count: n)
        for _ in 0..<iterations {
            for i in 0..<n {
                indices[i] = generator.nextIndex(below: n)
            }
            values.append(statistic(indices))
        }
        return sampleStandardDeviation(values)
    }

    /// Normal-approximation 95% interval, mean ± 1.96 · stderr.
    public static func confidenceInterval95(mean: Double, stderr: Double) -> (low: Double, high: Double) {
        (mean - 1.96 * stderr, mean + 1.96 * stderr)
    }
}
