import Foundation

/// Locality-sensitive hashing over MinHash signatures: `bands` × `rows` (= permutations). Two
/// documents become candidates when all rows of at least one band agree, which happens with
/// probability 1 − (1 − s^rows)^bands for Jaccard similarity s — an S-curve whose midpoint is about
/// (1/bands)^(1/rows). Candidates are then verified: similarity ≥ `threshold`, either exactly over the
/// stored shingle keys (`.exact`, 4 bytes per shingle) or as the share of agreeing signature positions
/// (`.estimate`, no extra memory, standard error √(s(1−s)/permutations)).
public struct LSHIndex: Sendable {
    public enum Verification: String, Sendable, CaseIterable {
        case exact, estimate
    }

    public let bands: Int
    public let rows: Int
    /// Estimated Jaccard similarity at or above which a candidate counts as a near duplicate.
    public let threshold: Double
    public let verification: Verification
    /// Per band: bucket key → the last document inserted there; `next[doc * bands + band]` chains to
    /// the previous one (−1 ends), so a bucket costs no array allocation.
    private var heads: [[UInt64: Int32]]
    private var next: [Int32] = []
    private var signatures: [[UInt32]] = []
    /// Sorted shingle keys per document, for `.exact` verification.
    private var shingleKeys: [[UInt32]] = []

    public init(bands: Int = 16, rows: Int = 8, threshold: Double = 0.8, verification: Verification = .estimate) {
        self.bands = max(1, bands)
        self.rows = max(1, rows)
        self.threshold = threshold
        self.verification = verification
        heads = Array(repeating: [:], count: self.bands)
    }

    /// The permutations a signature needs.
    public var signatureLength: Int { bands * rows }
    /// Documents indexed so far.
    public var count: Int { signatures.count }

    /// The probability that a pair of similarity `s` becomes a candidate.
    public func candidateProbability(similarity s: Double) -> Double {
        1 - pow(1 - pow(s, Double(rows)), Double(bands))
    }

    /// The approximate similarity where the S-curve rises: (1/bands)^(1/rows).
    public var curveThreshold: Double { pow(1 / Double(bands), 1 / Double(rows)) }

    private func bandKey(_ signature: [UInt32], band: Int) -> UInt64 {
        var h = StableHash.fnvOffset ^ UInt64(band)
        for r in 0..<rows {
            let v = signature[band * rows + r]
            h = StableHash.mix(h ^ UInt64(v))
        }
        return h
    }

    /// The best-matching indexed document at or above the threshold, and its similarity.
    /// - Parameter keys: the document's ``MinHash/keys(of:)``; needed for `.exact` verification.
    public func nearest(_ signature: [UInt32], keys: [UInt32] = []) -> (index: Int, similarity: Double)? {
        precondition(signature.count >= signatureLength, "signature shorter than bands × rows")
        var best: (Int, Double)?
        var checked = Set<Int32>()
        for band in 0..<bands {
            var candidate = heads[band][bandKey(signature, band: band)] ?? -1
            while candidate >= 0 {
                if checked.insert(candidate).inserted {
                    let s = verification == .exact
                        ? MinHash.jaccard(sorted: keys, shingleKeys[Int(candidate)])
                        : MinHash.similarity(signature, signatures[Int(candidate)])
                    if s >= threshold, s > (best?.1 ?? -1) { best = (Int(candidate), s) }
                }
                candidate = next[Int(candidate) * bands + band]
            }
        }
        return best
    }

    /// Adds a document's signature; returns its index.
    @discardableResult
    public mutating func insert(_ signature: [UInt32], keys: [UInt32] = []) -> Int {
        precondition(signature.count >= signatureLength, "signature shorter than bands × rows")
        let index = signatures.count
        signatures.append(signature)
        if verification == .exact { shingleKeys.append(keys) }
        for band in 0..<bands {
            let key = bandKey(signature, band: band)
            next.append(heads[band][key] ?? -1)
            heads[band][key] = Int32(truncatingIfNeeded: index)
        }
        return index
    }
}
