import Crypto
import Foundation
import Testing
@testable import Ledger

@Suite struct MerkleTreeTests {
    /// An independent, plain-recursion MTH straight from RFC 6962 §2.1, over raw leaves.
    static func naiveRoot(_ leaves: [[UInt8]]) -> [UInt8] {
        if leaves.isEmpty { return Array(SHA256.hash(data: [UInt8]())) }
        if leaves.count == 1 { return Array(SHA256.hash(data: [0] + leaves[0])) }
        var k = 1
        while k * 2 < leaves.count { k *= 2 }
        return Array(SHA256.hash(data: [1] + naiveRoot(Array(leaves[..<k])) + naiveRoot(Array(leaves[k...]))))
    }

    static func hex(_ b: [UInt8]) -> String { b.map { String(format: "%02x", $0) }.joined() }

    /// The RFC 6962 test leaves used by the Certificate Transparency implementations.
    static let vectorLeaves: [[UInt8]] = [
        [], [0x00], [0x10], [0x20, 0x21], [0x30, 0x31], [0x40, 0x41, 0x42, 0x43],
        [0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57],
        [0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f],
    ]
    static let vectorRoots = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]

    @Test func rootsMatchTheRFC6962Vectors() {
        var tree = MerkleTree()
        #expect(Self.hex(tree.root()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        for (i, leaf) in Self.vectorLeaves.enumerated() {
            tree.append(leaf: leaf)
            #expect(Self.hex(tree.root()) == Self.vectorRoots[i], "size \(i + 1)")
        }
    }

    @Test func rootsAndProofsAgreeWithTheNaiveTree() {
        var tree = MerkleTree()
        let leaves = (0..<33).map { i in [UInt8](repeating: UInt8(i), count: i % 5) + [UInt8(i)] }
        for leaf in leaves { tree.append(leaf: leaf) }
        for n in 0...leaves.count {
            let root = tree.root(size: n)
            #expect(root == Self.naiveRoot(Array(leaves[..<n])), "root \(n)")
            for m in 0..<n {
                let proof = tree.inclusionProof(index: m, size: n) ?? []
                #expect(MerkleProof.verifyInclusion(leafHash: MerkleHashing.leaf(leaves[m]), index: m, size: n, proof: proof, root: root))
                // A wrong leaf or index fails.
                #expect(!MerkleProof.verifyInclusion(leafHash: MerkleHashing.leaf([0xff, 0xee]), index: m, size: n, proof: proof, root: root))
                if n > 1 {
                    #expect(!MerkleProof.verifyInclusion(leafHash: MerkleHashing.leaf(leaves[m]), index: (m + 1) % n, size: n, proof: proof, root: root))
                }
            }
            for m in 0...n {
                let proof = tree.consistencyProof(old: m, new: n) ?? []
                #expect(MerkleProof.verifyConsistency(oldSize: m, newSize: n, oldRoot: tree.root(size: m), newRoot: root, proof: proof),
                        "consistency \(m) → \(n)")
                if m > 0 && m < n {
                    // A different history of the same old size fails.
                    var other = leaves[..<m].map { $0 }
                    other[m / 2] = [0xde, 0xad]
                    #expect(!MerkleProof.verifyConsistency(oldSize: m, newSize: n, oldRoot: Self.naiveRoot(other), newRoot: root, proof: proof))
                    // A tampered proof fails.
                    var bad = proof
                    bad[bad.count - 1][0] ^= 1
                    #expect(!MerkleProof.verifyConsistency(oldSize: m, newSize: n, oldRoot: tree.root(size: m), newRoot: root, proof: bad))
                }
            }
        }
    }
}
