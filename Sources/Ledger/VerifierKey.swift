import Crypto
import Foundation

/// The signed-note verifier key format shared by log keys (algorithm 0x01, Ed25519) and
/// witness cosignature keys (0x04, tlog-cosignature/v1):
/// `<name>+<hex key id>+<base64(algorithm ‖ 32-byte public key)>`, where the key id is
/// the first 4 bytes of SHA-256(name ‖ 0x0A ‖ algorithm ‖ public key).
enum VerifierKey {
    static func keyID(name: String, algorithm: UInt8, publicKey: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(data: Array(name.utf8) + [0x0A, algorithm] + publicKey).prefix(4))
    }

    static func format(name: String, algorithm: UInt8, publicKey: Curve25519.Signing.PublicKey) -> String {
        let raw = Array(publicKey.rawRepresentation)
        let hex = keyID(name: name, algorithm: algorithm, publicKey: raw).map { String(format: "%02x", $0) }.joined()
        return "\(name)+\(hex)+\(Data([algorithm] + raw).base64EncodedString())"
    }

    /// Parses a key of `algorithm`, checking that the id matches the key.
    static func parse(_ text: String, algorithm: UInt8) throws(LedgerError)
        -> (name: String, publicKey: Curve25519.Signing.PublicKey, keyID: [UInt8]) {
        let parts = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "+", maxSplits: 2)
        guard parts.count == 3, let data = Data(base64Encoded: String(parts[2])), data.count == 33, data.first == algorithm,
              let key = try? Curve25519.Signing.PublicKey(rawRepresentation: data.dropFirst())
        else { throw .malformedKey(text) }
        let name = String(parts[0])
        let id = keyID(name: name, algorithm: algorithm, publicKey: Array(data.dropFirst()))
        guard parts[1].lowercased() == id.map({ String(format: "%02x", $0) }).joined() else {
            throw .malformedKey("key id does not match the key in '\(text)'")
        }
        return (name, key, id)
    }
}
