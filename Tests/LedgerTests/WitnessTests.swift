import Crypto
import Foundation
import Testing
@testable import Ledger

/// C2SP tlog-witness and tlog-cosignature/v1: a witness cosigns only what extends the
/// history it already cosigned, and refuses a split view.
@Suite struct WitnessTests {
    func tempDir() -> URL { FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-witness-\(UUID().uuidString)") }

    /// Two logs under one signing key (what a log showing two histories would be).
    func logs() throws -> (TransparencyLog, TransparencyLog, URL) {
        let a = tempDir(), b = tempDir()
        let first = try TransparencyLog(directory: a, origin: "w.test/stats")
        try FileManager.default.createDirectory(at: b, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: a.appendingPathComponent("signing.key"), to: b.appendingPathComponent("signing.key"))
        let second = try TransparencyLog(directory: b, origin: "w.test/stats")
        return (first, second, tempDir())
    }

    func request(_ log: TransparencyLog, old: Int) throws -> String {
        let note = try log.checkpoint()
        let proof = log.consistencyProof(old: old, new: log.size) ?? []
        return "old \(old)\n" + proof.map { Data($0).base64EncodedString() + "\n" }.joined() + "\n" + note
    }

    @Test func cosignsAnExtendingHistoryAndRefusesASplitView() throws {
        let (log, fork, dir) = try logs()
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let signer = CosignatureSigner(name: "witness.example", key: Curve25519.Signing.PrivateKey())
        let state = dir.appendingPathComponent("state").path
        let witness = try Witness(signer: signer, logKey: log.signer.verifierKey, statePath: state)
        let verifier = try CosignatureVerifier(verifierKey: signer.verifierKey)

        for i in 0..<5 { try log.append(Array("e\(i)".utf8)) }
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        let line = try witness.addCheckpoint(try request(log, old: 0), now: now)
        #expect(verifier.verify(note: try log.checkpoint() + line) == 1_790_000_000)
        // The log's own signature still verifies with the cosignature appended.
        #expect(throws: Never.self) { try NoteVerifier(verifierKey: log.signer.verifierKey).verify(note: try log.checkpoint() + line) }

        for i in 5..<9 { try log.append(Array("e\(i)".utf8)) }
        #expect(throws: Witness.Refusal.sizeMismatch(5)) { try witness.addCheckpoint(try request(log, old: 0)) }
        let second = try witness.addCheckpoint(try request(log, old: 5))
        #expect(verifier.verify(note: try log.checkpoint() + second) != nil)
        #expect(witness.size == 9)

        // The fork has other entries under the same key: its history is not an extension.
        for i in 0..<12 { try fork.append(Array("forged \(i)".utf8)) }
        var forkRequest = "old 9\n" + (fork.consistencyProof(old: 9, new: 12) ?? []).map { Data($0).base64EncodedString() + "\n" }.joined()
        forkRequest += "\n" + (try fork.checkpoint())
        do {
            _ = try witness.addCheckpoint(forkRequest)
            Issue.record("a split view was cosigned")
        } catch {
            guard case let .inconsistent(why) = error else { Issue.record("\(error)"); return }
            #expect(why.contains("split view"))
        }
        // Same size, another root: refused too.
        let sameSize = tempDir()
        try FileManager.default.createDirectory(at: sameSize, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: log.directory.appendingPathComponent("signing.key"),
                                         to: sameSize.appendingPathComponent("signing.key"))
        let twin = try TransparencyLog(directory: sameSize, origin: "w.test/stats")
        for i in 0..<9 { try twin.append(Array("other \(i)".utf8)) }
        #expect(throws: Witness.Refusal.self) { try witness.addCheckpoint("old 9\n\n" + (try twin.checkpoint())) }
        #expect(witness.size == 9, "a refusal changes nothing")

        // A restart remembers what was cosigned.
        let restarted = try Witness(signer: signer, logKey: log.signer.verifierKey, statePath: state)
        #expect(restarted.size == 9)
    }

    @Test func refusesOtherLogsKeysAndGarbage() throws {
        let (log, _, dir) = try logs()
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let signer = CosignatureSigner(name: "witness.example", key: Curve25519.Signing.PrivateKey())
        let witness = try Witness(signer: signer, logKey: log.signer.verifierKey, statePath: dir.appendingPathComponent("s").path)
        try log.append(Array("e".utf8))
        let other = NoteSigner(name: "w.test/stats", key: Curve25519.Signing.PrivateKey())
        let forged = try other.sign(Checkpoint(origin: "w.test/stats", size: 1, root: MerkleHashing.leaf(Array("e".utf8))).body)
        #expect(throws: Witness.Refusal.badSignature) { try witness.addCheckpoint("old 0\n\n" + forged) }
        let stranger = try NoteSigner(name: "other.log", key: .init()).sign(Checkpoint(origin: "other.log", size: 1, root: [UInt8](repeating: 0, count: 32)).body)
        #expect(throws: Witness.Refusal.unknownLog("other.log")) { try witness.addCheckpoint("old 0\n\n" + stranger) }
        for bad in ["", "old x\n\n", "new 0\n\n", "old 0\nnot-base64\n\n" + (try log.checkpoint()), "old -1\n\n", "old 00\n\n"] {
            #expect(throws: Witness.Refusal.self) { try witness.addCheckpoint(bad) }
        }
        #expect(witness.size == 0)
    }

    @Test func cosignatureKeysAreNotNoteKeys() throws {
        let signer = CosignatureSigner(name: "w", key: .init())
        #expect(throws: LedgerError.self) { try NoteVerifier(verifierKey: signer.verifierKey) }
        #expect(throws: LedgerError.self) { try CosignatureVerifier(verifierKey: NoteSigner(name: "w", key: .init()).verifierKey) }
    }
}
