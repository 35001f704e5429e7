import Crypto
import Foundation
import Ledger
import UsageStats

/// A fixed test key (never a production one): the fuzzer can then mutate correctly
/// signed seeds and reach the code behind signature checks.
private func testKey(_ byte: UInt8) -> Curve25519.Signing.PrivateKey {
    // Any 32 bytes are a valid Ed25519 seed, so this cannot throw.
    try! Curve25519.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: byte, count: 32))
}

/// The usage log file (`ledger.log`): framed records, a torn tail, damage; then every
/// record decoded as a usage-log entry, as `aqyl stats verify` does.
enum RecordLogHarness {
    static let target = FuzzTarget(name: "record-log", summary: "record log frames and CRCs, then each record as a usage-log entry") {
        { bytes in
            guard let parsed = try? RecordLog.parse(bytes, path: "fuzz.log") else { return }
            precondition(parsed.cleanBytes + parsed.tornBytes == bytes.count, "clean and torn bytes do not add up to the file")
            precondition(parsed.records.reduce(0) { $0 + 8 + $1.count } == parsed.cleanBytes, "records do not fill the clean bytes")
            for record in parsed.records {
                guard let entry = try? LedgerEntry(bytes: record), let again = try? entry.bytes() else { continue }
                precondition((try? LedgerEntry(bytes: again)) == entry, "an accepted entry does not survive re-encoding")
            }
        }
    }
}

/// C2SP signed notes: verifier keys, note signatures, witness cosignatures, and a
/// witness's add-checkpoint request (tlog-witness).
enum SignedNoteHarness {
    static let target = FuzzTarget(name: "signed-note",
                                   summary: "signed-note keys and signatures, cosignatures, witness add-checkpoint requests") {
        let logSigner = NoteSigner(name: "aqyl.fuzz/log", key: testKey(1))
        let verifier = try NoteVerifier(verifierKey: logSigner.verifierKey)
        let witnessSigner = CosignatureSigner(name: "aqyl.fuzz/witness", key: testKey(2))
        let cosignatures = try CosignatureVerifier(verifierKey: witnessSigner.verifierKey)
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-fuzz-witness-\(getpid())").path
        return { bytes in
            let text = String(decoding: bytes, as: UTF8.self)
            _ = try? NoteVerifier(verifierKey: text)
            _ = try? CosignatureVerifier(verifierKey: text)
            if let signed = try? verifier.verify(note: text) { precondition(text.hasPrefix(signed.dropLast()), "verified text is not the note's") }
            _ = cosignatures.verify(note: text)
            // Whatever the text, signing it and verifying the signature gives it back. (One
            // input in 16: signing dominates the cost, and the framing is what is under test.)
            if bytes.count % 16 == 0, text.hasSuffix("\n"), let note = try? logSigner.sign(text) {
                precondition((try? verifier.verify(note: note)) == text, "a note this key signed does not verify")
            }
            // A fresh witness each time, so one input's accepted checkpoint cannot change the next.
            try? FileManager.default.removeItem(atPath: state)
            if let witness = try? Witness(signer: witnessSigner, logKey: logSigner.verifierKey, statePath: state),
               let line = try? witness.addCheckpoint(text) {
                precondition(line.hasPrefix("\u{2014} aqyl.fuzz/witness "), "a cosignature line in the wrong form")
            }
        }
    }
}

/// Checkpoint bodies and tlog tile paths, as a client or witness reads them.
enum CheckpointHarness {
    static let target = FuzzTarget(name: "checkpoint", summary: "tlog-checkpoint bodies and tlog-tiles paths: parse and round-trip") {
        { bytes in
            let text = String(decoding: bytes, as: UTF8.self)
            if let checkpoint = try? Checkpoint(body: text) {
                precondition((try? Checkpoint(body: checkpoint.body)) == checkpoint, "a checkpoint does not survive re-rendering")
                precondition(text.hasPrefix(checkpoint.body), "the canonical body is not the start of the parsed text")
            }
            let components = text.split(separator: "/", omittingEmptySubsequences: false)
            if let tile = Tile(components: components) {
                precondition(tile.path == "tile/" + text, "a tile path is accepted in a non-canonical spelling")
            }
        }
    }
}
