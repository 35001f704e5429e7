import Crypto
import Foundation
import Testing
@testable import Ledger

@Suite struct CheckpointTests {
    let signer = NoteSigner(name: "aqyl.example/stats", key: Curve25519.Signing.PrivateKey())

    @Test func signAndVerifyRoundTrip() throws {
        let checkpoint = Checkpoint(origin: "aqyl.example/stats", size: 42, root: [UInt8](repeating: 7, count: 32))
        let note = try signer.sign(checkpoint.body)
        #expect(note.hasPrefix("aqyl.example/stats\n42\n"))
        #expect(note.contains("\n\n\u{2014} aqyl.example/stats "))
        let verifier = try NoteVerifier(verifierKey: signer.verifierKey)
        let text = try verifier.verify(note: note)
        #expect(try Checkpoint(body: text) == checkpoint)
    }

    /// Every bit of every byte, over many signatures (base64's unused low bits included).
    @Test func anyFlippedBitFails() throws {
        let verifier = try NoteVerifier(verifierKey: signer.verifierKey)
        for size in 0..<20 {
            let note = try signer.sign(Checkpoint(origin: "o", size: size, root: [UInt8](repeating: UInt8(size), count: 32)).body)
            var bytes = Array(note.utf8)
            for i in bytes.indices {
                for bit in 0..<8 {
                    bytes[i] ^= 1 << bit
                    let text = String(decoding: bytes, as: UTF8.self)
                    let ok = (try? Checkpoint(body: try verifier.verify(note: text))) != nil
                    #expect(!ok, "flipping bit \(bit) of byte \(i) still verifies")
                    bytes[i] ^= 1 << bit
                }
            }
        }
    }

    @Test func anotherKeyFails() throws {
        let note = try signer.sign(Checkpoint(origin: "o", size: 1, root: [UInt8](repeating: 2, count: 32)).body)
        let other = NoteSigner(name: signer.name, key: Curve25519.Signing.PrivateKey())
        #expect(throws: LedgerError.badSignature) { try NoteVerifier(verifierKey: other.verifierKey).verify(note: note) }
        #expect(throws: LedgerError.self) { try NoteVerifier(verifierKey: "nonsense") }
    }

    /// The key id rule, computed independently: SHA-256(name ‖ "\n" ‖ 0x01 ‖ key)[0..<4].
    @Test func keyIDFollowsTheSignedNoteRule() {
        let pub = Array(signer.key.publicKey.rawRepresentation)
        let expected = Array(SHA256.hash(data: Data("aqyl.example/stats\n".utf8) + Data([1]) + Data(pub)).prefix(4))
        #expect(signer.keyID == expected)
    }
}
