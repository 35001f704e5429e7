import Foundation
import Testing
@testable import Ledger

@Suite struct TransparencyLogTests {
    func tempDir() -> URL { FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-tlog-\(UUID().uuidString)") }

    @Test func checkpointsAreSignedConsistentAndPersist() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var key = ""
        do {
            let log = try TransparencyLog(directory: dir, origin: "test.aqyl/stats")
            key = log.signer.verifierKey
            for i in 0..<5 { try log.append(Array("e\(i)".utf8)) }
            let first = try log.checkpoint()
            #expect(try log.checkpoint() == first, "no new entries, no new signature")
            try log.append(Array("e5".utf8))
            _ = try log.checkpoint()
            #expect(log.checkpointHistory.count == 2)
        }
        let reopened = try TransparencyLog(directory: dir, origin: "test.aqyl/stats")
        #expect(reopened.signer.verifierKey == key, "the key is kept in the data directory")
        #expect(reopened.size == 6)
        let verifier = try NoteVerifier(verifierKey: key)
        let checkpoint = try Checkpoint(body: try verifier.verify(note: try reopened.checkpoint()))
        #expect(checkpoint.size == 6)
        let proof = try #require(reopened.inclusionProof(index: 3, size: 6))
        #expect(MerkleProof.verifyInclusion(leafHash: MerkleHashing.leaf(Array("e3".utf8)), index: 3, size: 6, proof: proof, root: checkpoint.root))
    }

    @Test func alteredEntriesAfterSigningRefuseToOpen() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        do {
            let log = try TransparencyLog(directory: dir, origin: "o")
            for i in 0..<3 { try log.append(Array("entry-\(i)".utf8)) }
            _ = try log.checkpoint()
        }
        // Rewrite the entries with a different (well-framed) history of the same size.
        try FileManager.default.removeItem(at: dir.appendingPathComponent("entries.log"))
        do {
            let forged = try RecordLog.open(path: dir.appendingPathComponent("entries.log").path).log
            for i in 0..<3 { try forged.append(Array("forged-\(i)".utf8)) }
        }
        #expect(throws: LedgerError.self) { try TransparencyLog(directory: dir, origin: "o") }
    }

    /// A log has its own name: not a constant shared by every install, and kept for its life.
    @Test func aLogIsNamedOnceAndKeepsItsName() throws {
        let a = tempDir(), b = tempDir()
        defer { try? FileManager.default.removeItem(at: a); try? FileManager.default.removeItem(at: b) }
        let first = try TransparencyLog(directory: a, origin: nil).origin
        let other = try TransparencyLog(directory: b, origin: nil).origin
        #expect(first != other, "two installs share the name \(first)")
        #expect(first.contains("/aqyl-stats/"))
        #expect(try TransparencyLog(directory: a, origin: nil).origin == first)
        #expect(try TransparencyLog(directory: a, origin: first).origin == first)
        #expect(throws: LedgerError.self) { try TransparencyLog(directory: a, origin: "someone.else/stats") }
    }

    @Test(arguments: [
        ("https://stats.aqyl.kz", "stats.aqyl.kz/stats"), ("https://Aqyl.KZ/chat/", "aqyl.kz/chat/stats"),
        ("http://10.0.0.5:8080", "10.0.0.5:8080/stats"),
    ])
    func originFromThePublicURL(url: String, origin: String) {
        #expect(TransparencyLog.origin(publicURL: url) == origin)
    }

    @Test(arguments: ["ftp://x.kz", "not a url", "https://", "/relative"])
    func badPublicURLs(url: String) {
        #expect(TransparencyLog.origin(publicURL: url) == nil)
    }
}

