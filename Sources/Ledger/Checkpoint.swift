import Crypto
import Foundation

/// A C2SP tlog-checkpoint body: `<origin>\n<size>\n<base64 root>\n`.
public struct Checkpoint: Sendable, Equatable {
    public var origin: String
    public var size: Int
    public var root: MerkleHash

    public init(origin: String, size: Int, root: MerkleHash) {
        self.origin = origin
        self.size = size
        self.root = root
    }

    public var body: String { "\(origin)\n\(size)\n\(Data(root).base64EncodedString())\n" }

    /// Parses a checkpoint body (extension lines after the third are allowed and ignored).
    public init(body: String) throws(LedgerError) {
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
        guard body.hasSuffix("\n"), lines.count >= 4, let size = Int(lines[1]), size >= 0, String(size) == lines[1],
              let root = canonicalBase64(lines[2]), root.count == 32, !lines[0].isEmpty
        else { throw .malformedCheckpoint("expected '<origin>\\n<size>\\n<base64 root>\\n'") }
        self.init(origin: String(lines[0]), size: size, root: Array(root))
    }
}

/// Ed25519 signer for C2SP signed notes.
public struct NoteSigner: @unchecked Sendable {
    // @unchecked: swift-crypto's key types are immutable values not yet marked Sendable.
    public let name: String
    public let key: Curve25519.Signing.PrivateKey

    public init(name: String, key: Curve25519.Signing.PrivateKey) {
        self.name = name
        self.key = key
    }

    /// First 4 bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key).
    public var keyID: [UInt8] { NoteVerifier.keyID(name: name, publicKey: Array(key.publicKey.rawRepresentation)) }

    /// The verifier key string `<name>+<hex key id>+<base64(0x01 ‖ public key)>`, to pin.
    public var verifierKey: String { VerifierKey.format(name: name, algorithm: NoteVerifier.algorithm, publicKey: key.publicKey) }

    /// The signed note: the text, a blank line, and `— <name> <base64(key id ‖ signature)>`.
    public func sign(_ text: String) throws -> String {
        let signature = try key.signature(for: Data(text.utf8))
        return text + "\n\u{2014} \(name) \(Data(keyID + signature).base64EncodedString())\n"
    }
}

/// Checks signed notes against one trusted verifier key.
public struct NoteVerifier: @unchecked Sendable {
    // @unchecked: as NoteSigner.
    public let name: String
    public let publicKey: Curve25519.Signing.PublicKey
    public let keyID: [UInt8]

    /// Ed25519 signed-note keys.
    static let algorithm: UInt8 = 0x01

    static func keyID(name: String, publicKey: [UInt8]) -> [UInt8] {
        VerifierKey.keyID(name: name, algorithm: algorithm, publicKey: publicKey)
    }

    /// Parses `<name>+<hex key id>+<base64(0x01 ‖ key)>`, checking the id matches the key.
    public init(verifierKey: String) throws(LedgerError) {
        (name, publicKey, keyID) = try VerifierKey.parse(verifierKey, algorithm: Self.algorithm)
    }

    /// Returns the note's text if a signature line by this key verifies.
    public func verify(note: String) throws(LedgerError) -> String {
        guard let split = note.range(of: "\n\n", options: .backwards) else { throw .malformedCheckpoint("no signature block") }
        let text = String(note[..<split.lowerBound]) + "\n"
        let signatures = note[split.upperBound...].split(separator: "\n")
        for line in signatures {
            let fields = line.split(separator: " ")
            guard fields.count == 3, fields[0] == "\u{2014}", fields[1] == name,
                  let blob = canonicalBase64(fields[2]), blob.count == 68, Array(blob.prefix(4)) == keyID
            else { continue }
            if publicKey.isValidSignature(blob.dropFirst(4), for: Data(text.utf8)) { return text }
            throw .badSignature
        }
        throw .badSignature
    }
}

/// Decodes base64 only in its canonical form (the one encoding of those bytes), so a
/// note has exactly one valid spelling: flipping an unused low bit of the last
/// character, which lenient decoders ignore, must not leave a checkpoint valid.
func canonicalBase64(_ text: some StringProtocol) -> Data? {
    guard let data = Data(base64Encoded: String(text)), data.base64EncodedString() == text else { return nil }
    return data
}

public enum LedgerError: Error, Equatable, CustomStringConvertible {
    case malformedCheckpoint(String)
    case malformedKey(String)
    case badSignature
    case corrupt(path: String, offset: Int, reason: String)
    case io(String)
    case inconsistent(String)

    public var description: String {
        switch self {
        case let .malformedCheckpoint(why): return "malformed checkpoint: \(why)"
        case let .malformedKey(key): return "malformed verifier key: \(key)"
        case .badSignature: return "the checkpoint's signature does not verify with the trusted key"
        case let .corrupt(path, offset, reason): return "\(path) is corrupt at byte \(offset): \(reason)"
        case let .io(message): return message
        case let .inconsistent(message): return "inconsistent log: \(message)"
        }
    }
}
