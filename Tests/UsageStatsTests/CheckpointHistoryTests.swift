import Crypto
import Foundation
import Ledger
import Testing
import UsageStats

/// `aqyl stats verify` checks every checkpoint the log ever signed, not only the latest.
@Suite struct CheckpointHistoryTests {
    static let signer = NoteSigner(name: "test/stats", key: Curve25519.Signing.PrivateKey())

    /// A log of 10 entries with checkpoints at sizes 3, 7 and 10.
    static func history() throws -> (tree: MerkleTree, notes: [String]) {
        var tree = MerkleTree()
        for i in 0..<10 { tree.append(leaf: Array("entry \(i)".utf8)) }
        let notes = try [3, 7, 10].map { size in
            try signer.sign(Checkpoint(origin: "test/stats", size: size, root: tree.root(size: size)).body)
        }
        return (tree, notes)
    }

    static func verify(_ notes: [String], _ tree: MerkleTree) -> LedgerVerifier.Check? {
        var v = LedgerVerifier()
        v.checkHistory(notes: notes, verifierKey: signer.verifierKey, tree: tree)
        return v.checks.last
    }

    @Test func aCleanHistoryPasses() throws {
        let (tree, notes) = try Self.history()
        let check = try #require(Self.verify(notes, tree))
        #expect(check.passed, "\(check.detail)")
        #expect(check.detail.contains("3 checkpoints"))
    }

    /// The gap the old verifier had: a corrupted older checkpoint passed unnoticed.
    @Test func aCorruptedOlderCheckpointFails() throws {
        let (tree, notes) = try Self.history()
        var corrupted = notes
        var bytes = Array(corrupted[0].utf8)
        bytes[bytes.count - 5] ^= 1
        corrupted[0] = String(decoding: bytes, as: UTF8.self)
        let check = try #require(Self.verify(corrupted, tree))
        #expect(!check.passed)
        #expect(check.detail.contains("checkpoint 1 of 3"), "\(check.detail)")
    }

    /// A checkpoint that was signed but whose root is not a prefix of this log (a rewritten history).
    @Test func aSignedButRewrittenHistoryFails() throws {
        let (tree, notes) = try Self.history()
        let forged = try Self.signer.sign(Checkpoint(origin: "test/stats", size: 7, root: [UInt8](repeating: 1, count: 32)).body)
        let check = try #require(Self.verify([notes[0], forged, notes[2]], tree))
        #expect(!check.passed)
        #expect(check.detail.contains("checkpoint 2"), "\(check.detail)")
    }

    @Test func aShrinkingHistoryFails() throws {
        let (tree, notes) = try Self.history()
        let check = try #require(Self.verify([notes[1], notes[0], notes[2]], tree))
        #expect(!check.passed)
    }
}
