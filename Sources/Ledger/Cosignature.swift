import Crypto
import Foundation

/// C2SP tlog-cosignature/v1: a witness's Ed25519 signature over
/// `cosignature/v1\ntime <unix seconds>\n` followed by the checkpoint's text, written as
/// a signed-note line `— <name> <base64(key id ‖ 8-byte big-endian time ‖ signature)>`.
/// The key id is the first 4 bytes of SHA-256(name ‖ 0x0A ‖ 0x04 ‖ public key).
public struct CosignatureSigner: @unchecked Sendable {
    // @unchecked: swift-crypto's key types are immutable values not yet marked Sendable.
    public let name: String
    public let key: Curve25519.Signing.PrivateKey

    public init(name: String, key: Curve25519.Signing.PrivateKey) {
        self.name = name
        self.key = key
    }

    public var keyID: [UInt8] { CosignatureVerifier.keyID(name: name, publicKey: Array(key.publicKey.rawRepresentation)) }

    /// `<name>+<hex key id>+<base64(0x04 ‖ public key)>`, what a verifier pins.
    public var verifierKey: String {
        VerifierKey.format(name: name, algorithm: CosignatureVerifier.algorithm, publicKey: key.publicKey)
    }

    /// The cosignature line (with its newline) for a checkpoint's text at `time`.
    public func cosign(text: String, time: UInt64) throws -> String {
        let signature = try key.signature(for: Data(CosignatureVerifier.message(text: text, time: time).utf8))
        var timeBytes: [UInt8] = []
        for shift in stride(from: 56, through: 0, by: -8) { timeBytes.append(UInt8(truncatingIfNeeded: time >> UInt64(shift))) }
        return "\u{2014} \(name) \(Data(keyID + timeBytes + signature).base64EncodedString())\n"
    }
}

/// Checks a witness's cosignature on a checkpoint note.
public struct CosignatureVerifier: @unchecked Sendable {
    public let name: String
    public let publicKey: Curve25519.Signing.PublicKey
    public let keyID: [UInt8]

    /// tlog-cosignature/v1 keys.
    static let algorithm: UInt8 = 0x04

    static func keyID(name: String, publicKey: [UInt8]) -> [UInt8] {
        VerifierKey.keyID(name: name, algorithm: algorithm, publicKey: publicKey)
    }

    static func message(text: String, time: UInt64) -> String { "cosignature/v1\ntime \(time)\n" + text }

    /// Parses `<name>+<hex key id>+<base64(0x04 ‖ key)>`, checking the id matches the key.
    public init(verifierKey: String) throws(LedgerError) {
        (name, publicKey, keyID) = try VerifierKey.parse(verifierKey, algorithm: Self.algorithm)
    }

    /// The time of this witness's valid cosignature on `note`, or nil when it has none.
    public func verify(note: String) -> UInt64? {
        guard let split = note.range(of: "\n\n", options: .backwards) else { return nil }
        let text = String(note[..<split.lowerBound]) + "\n"
        for line in note[split.upperBound...].split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count == 3, fields[0] == "\u{2014}", fields[1] == name,
                  let blob = canonicalBase64(fields[2]), blob.count == 76, Array(blob.prefix(4)) == keyID else { continue }
            let time = blob.dropFirst(4).prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            if publicKey.isValidSignature(blob.dropFirst(12), for: Data(Self.message(text: text, time: time).utf8)) { return time }
        }
        return nil
    }
}
