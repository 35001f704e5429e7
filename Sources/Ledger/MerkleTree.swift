import Crypto
import Foundation

/// A SHA-256 hash, 32 bytes.
public typealias MerkleHash = [UInt8]

/// RFC 6962 / RFC 9162 §2.1 hashing: domain-separated leaves and nodes.
public enum MerkleHashing {
    /// MTH of the empty tree: SHA-256 of nothing.
    public static let empty: MerkleHash = Array(SHA256.hash(data: [UInt8]()))

    /// SHA-256(0x00 ‖ data).
    public static func leaf(_ data: some DataProtocol) -> MerkleHash {
        var h = SHA256()
        h.update(data: [0x00])
        h.update(data: data)
        return Array(h.finalize())
    }

    /// SHA-256(0x01 ‖ left ‖ right).
    public static func node(_ left: MerkleHash, _ right: MerkleHash) -> MerkleHash {
        var h = SHA256()
        h.update(data: [0x01])
        h.update(data: left)
        h.update(data: right)
        return Array(h.finalize())
    }

    /// The largest power of two strictly less than `n` (n > 1): RFC 6962's split point.
    static func split(_ n: Int) -> Int {
        var k = 1
        while k << 1 < n { k <<= 1 }
        return k
    }
}

/// An append-only Merkle tree over leaf hashes (RFC 9162 §2.1).
///
/// It keeps the hash of every complete, aligned subtree (`levels[k][i]` covers
/// leaves `i·2^k ..< (i+1)·2^k`), so roots and proofs for any earlier size
/// cost O(log² n) hashes, and appending costs O(1) amortized.
public struct MerkleTree: Sendable {
    private var levels: [[MerkleHash]] = [[]]

    public init() {}

    public var size: Int { levels[0].count }

    public func leafHash(at index: Int) -> MerkleHash { levels[0][index] }

    public mutating func append(leafHash: MerkleHash) {
        levels[0].append(leafHash)
        var level = 0
        var index = levels[0].count - 1
        while index % 2 == 1 {
            let parent = MerkleHashing.node(levels[level][index - 1], levels[level][index])
            level += 1
            if levels.count == level { levels.append([]) }
            levels[level].append(parent)
            index /= 2
        }
    }

    public mutating func append(leaf data: some DataProtocol) {
        append(leafHash: MerkleHashing.leaf(data))
    }

    /// MTH(D[lo..<hi]).
    func hash(_ lo: Int, _ hi: Int) -> MerkleHash {
        let n = hi - lo
        if n == 0 { return MerkleHashing.empty }
        if n & (n - 1) == 0, lo % n == 0 {
            let level = n.trailingZeroBitCount
            return levels[level][lo / n]
        }
        let k = MerkleHashing.split(n)
        return MerkleHashing.node(hash(lo, lo + k), hash(lo + k, hi))
    }

    /// How many complete, aligned subtrees of height `level` the tree holds (level 0: leaves).
    public func completeSubtrees(level: Int) -> Int { level >= 0 && level < levels.count ? levels[level].count : 0 }

    /// Hashes of the complete subtrees of height `level` at `range` (what a tlog tile holds),
    /// or nil when some of them are not complete yet.
    public func subtreeHashes(level: Int, range: Range<Int>) -> [MerkleHash]? {
        guard range.lowerBound >= 0, range.upperBound <= completeSubtrees(level: level) else { return nil }
        return Array(levels[level][range])
    }

    /// The root of the first `size` leaves (default: all).
    public func root(size: Int? = nil) -> MerkleHash { hash(0, min(size ?? self.size, self.size)) }

    /// PATH(m, D[0:n]): the audit path of leaf `index` in the tree of `size` leaves.
    public func inclusionProof(index: Int, size: Int) -> [MerkleHash]? {
        guard index >= 0, index < size, size <= self.size else { return nil }
        func path(_ m: Int, _ lo: Int, _ hi: Int) -> [MerkleHash] {
            let n = hi - lo
            if n == 1 { return [] }
            let k = MerkleHashing.split(n)
            if m < k { return path(m, lo, lo + k) + [hash(lo + k, hi)] }
            return path(m - k, lo + k, hi) + [hash(lo, lo + k)]
        }
        return path(index, 0, size)
    }

    /// PROOF(m, D[0:n]): proves the tree of `old` leaves is a prefix of the tree of `new` leaves.
    public func consistencyProof(old: Int, new: Int) -> [MerkleHash]? {
        guard old >= 0, old <= new, new <= self.size else { return nil }
        if old == 0 || old == new { return [] }
        func subproof(_ m: Int, _ lo: Int, _ hi: Int, _ complete: Bool) -> [MerkleHash] {
            let n = hi - lo
            if m == n { return complete ? [] : [hash(lo, hi)] }
            let k = MerkleHashing.split(n)
            if m <= k { return subproof(m, lo, lo + k, complete) + [hash(lo + k, hi)] }
            return subproof(m - k, lo + k, hi, false) + [hash(lo, lo + k)]
        }
        return subproof(old, 0, new, true)
    }
}

/// Proof checks as a verifier runs them (RFC 9162 §2.1.3.2 and §2.1.4.2):
/// they use only the proof, the sizes and the hashes, never the tree.
public enum MerkleProof {
    public static func verifyInclusion(leafHash: MerkleHash, index: Int, size: Int, proof: [MerkleHash], root: MerkleHash) -> Bool {
        guard index >= 0, index < size else { return false }
        var fn = index, sn = size - 1
        var r = leafHash
        for p in proof {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                r = MerkleHashing.node(p, r)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 { fn >>= 1; sn >>= 1 }
                }
            } else {
                r = MerkleHashing.node(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && r == root
    }

    public static func verifyConsistency(oldSize: Int, newSize: Int, oldRoot: MerkleHash, newRoot: MerkleHash,
                                         proof: [MerkleHash]) -> Bool {
        guard oldSize >= 0, oldSize <= newSize else { return false }
        if oldSize == newSize { return proof.isEmpty && oldRoot == newRoot }
        if oldSize == 0 { return proof.isEmpty }
        var path = proof
        if oldSize & (oldSize - 1) == 0 { path.insert(oldRoot, at: 0) }
        guard let first = path.first else { return false }
        var fn = oldSize - 1, sn = newSize - 1
        while fn & 1 == 1 { fn >>= 1; sn >>= 1 }
        var fr = first, sr = first
        for c in path.dropFirst() {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                fr = MerkleHashing.node(c, fr)
                sr = MerkleHashing.node(c, sr)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 { fn >>= 1; sn >>= 1 }
                }
            } else {
                sr = MerkleHashing.node(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && fr == oldRoot && sr == newRoot
    }
}
