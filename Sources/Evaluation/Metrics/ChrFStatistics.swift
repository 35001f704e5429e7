import Foundation

/// Additive chrF / chrF++ sufficient statistics for one or more segments.
///
/// Mirrors sacrebleu 2.x: for every order (character orders 1…charOrder first,
/// then word orders 1…wordOrder) three counts are kept — hypothesis n-grams,
/// reference n-grams and clipped matches. Because they are plain counts, the
/// statistics of a corpus are the element-wise sum of its segments' statistics,
/// and the corpus score is the f-score of that sum (not a mean of sentence scores).
public struct ChrFStatistics: Sendable, Equatable {
    /// Hypothesis n-gram count per order (0 when the reference has no n-grams of that order,
    /// exactly like sacrebleu's `_get_match_statistics`).
    public var hypothesisCounts: [Int]
    /// Reference n-gram count per order.
    public var referenceCounts: [Int]
    /// Clipped match count per order.
    public var matchCounts: [Int]

    public init(hypothesisCounts: [Int], referenceCounts: [Int], matchCounts: [Int]) {
        self.hypothesisCounts = hypothesisCounts
        self.referenceCounts = referenceCounts
        self.matchCounts = matchCounts
    }

    /// All-zero statistics for `orders` orders (the identity of `+`).
    public init(orders: Int) {
        let zeros = [Int](repeating: 0, count: max(0, orders))
        self.init(hypothesisCounts: zeros, referenceCounts: zeros, matchCounts: zeros)
    }

    /// Number of orders (character + word) these statistics cover.
    public var orders: Int { hypothesisCounts.count }

    /// Element-wise sum. Statistics of different lengths should not be mixed; rather than
    /// trap, the shorter one is treated as zero-padded so `ChrFStatistics(orders: 0)` also
    /// works as a neutral starting value for a reduction.
    public static func + (lhs: ChrFStatistics, rhs: ChrFStatistics) -> ChrFStatistics {
        func add(_ a: [Int], _ b: [Int]) -> [Int] {
            (0..<max(a.count, b.count)).map { i in
                (i < a.count ? a[i] : 0) + (i < b.count ? b[i] : 0)
            }
        }
        return ChrFStatistics(
            hypothesisCounts: add(lhs.hypothesisCounts, rhs.hypothesisCounts),
            referenceCounts: add(lhs.referenceCounts, rhs.referenceCounts),
            matchCounts: add(lhs.matchCounts, rhs.matchCounts))
    }

    public static func += (lhs: inout ChrFStatistics, rhs: ChrFStatistics) {
        lhs = lhs + rhs
    }
}
