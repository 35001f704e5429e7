import FileContents
import Crypto
import Foundation

/// A C2SP tlog-witness for one log: it cosigns a checkpoint only when it is signed by the
/// log's key and provably extends the last checkpoint this witness cosigned, so a log
/// that shows two audiences two different histories (a split view) is caught: the
/// witness refuses the second and says so.
///
/// `add-checkpoint` bodies are `old <size>\n`, up to 63 base64 consistency-proof hashes,
/// a blank line, then the signed checkpoint. The latest cosigned checkpoint is kept in
/// `statePath` (written before the cosignature is returned, so a restart never forgets
/// what it signed).
public final class Witness: @unchecked Sendable {
    // @unchecked: `latest` is guarded by `lock`.
    public enum Refusal: Error, Equatable, CustomStringConvertible {
        /// 400: the request is not an add-checkpoint body.
        case malformed(String)
        /// 404: a checkpoint of a log this witness does not witness.
        case unknownLog(String)
        /// 403: the checkpoint's signature does not verify with the log's key.
        case badSignature
        /// 409: `old` is not the size this witness last cosigned (it is this one).
        case sizeMismatch(Int)
        /// 422: the checkpoint does not extend what this witness cosigned.
        case inconsistent(String)
        /// 500: the witness could not keep its state or sign.
        case failed(String)

        public var status: Int {
            switch self {
            case .malformed: return 400
            case .unknownLog: return 404
            case .badSignature: return 403
            case .sizeMismatch: return 409
            case .inconsistent: return 422
            case .failed: return 500
            }
        }

        public var description: String {
            switch self {
            case let .malformed(why): return "malformed add-checkpoint request: \(why)"
            case let .unknownLog(origin): return "this witness does not witness the log '\(origin)'"
            case .badSignature: return "the checkpoint is not signed by the log's key"
            case let .sizeMismatch(size): return "this witness last cosigned size \(size)"
            case let .inconsistent(why): return "refused: \(why)"
            case let .failed(why): return why
            }
        }
    }

    public let signer: CosignatureSigner
    public let log: NoteVerifier
    let statePath: String
    private let lock = NSLock()
    private var latest: Checkpoint?

    static let maxProofLines = 63

    /// - Parameters:
    ///   - logKey: the witnessed log's verifier key (its name is the log's origin).
    ///   - statePath: where the latest cosigned checkpoint is kept.
    public init(signer: CosignatureSigner, logKey: String, statePath: String) throws(LedgerError) {
        self.signer = signer
        log = try NoteVerifier(verifierKey: logKey)
        self.statePath = statePath
        if let data = FileContents.readIfPresent(statePath), let saved = String(data: data, encoding: .utf8), !saved.isEmpty {
            latest = try Checkpoint(body: try log.verify(note: saved))
        }
    }

    /// The size of the latest checkpoint cosigned (0 before the first).
    public var size: Int { lock.withLock { latest?.size ?? 0 } }

    /// Checks and cosigns one add-checkpoint request; returns the cosignature line.
    public func addCheckpoint(_ body: String, now: Date = Date()) throws(Refusal) -> String {
        guard let blank = body.range(of: "\n\n") else { throw .malformed("no blank line before the checkpoint") }
        let head = body[..<blank.lowerBound].split(separator: "\n", omittingEmptySubsequences: false)
        let note = String(body[blank.upperBound...])
        guard let first = head.first, first.hasPrefix("old "), let old = Int(first.dropFirst(4)), old >= 0,
              String(old) == first.dropFirst(4) else { throw .malformed("the first line must be 'old <size>'") }
        guard head.count - 1 <= Self.maxProofLines else { throw .malformed("more than \(Self.maxProofLines) proof lines") }
        var proof: [MerkleHash] = []
        for line in head.dropFirst() {
            guard let hash = canonicalBase64(line), hash.count == 32 else { throw .malformed("a proof line is not a base64 hash") }
            proof.append(Array(hash))
        }
        let origin = String(note.prefix { $0 != "\n" })
        guard origin == log.name else { throw .unknownLog(String(origin.prefix(200))) }
        let text: String, checkpoint: Checkpoint
        do {
            text = try log.verify(note: note)
            checkpoint = try Checkpoint(body: text)
        } catch { throw .badSignature }

        lock.lock()
        defer { lock.unlock() }
        let known = latest ?? Checkpoint(origin: log.name, size: 0, root: MerkleHashing.empty)
        guard old == known.size else { throw .sizeMismatch(known.size) }
        guard checkpoint.size >= known.size else {
            throw .inconsistent("the checkpoint has \(checkpoint.size) entries, fewer than the \(known.size) already cosigned")
        }
        let consistent = known.size == 0 ? proof.isEmpty
            : MerkleProof.verifyConsistency(oldSize: known.size, newSize: checkpoint.size, oldRoot: known.root,
                                           newRoot: checkpoint.root, proof: proof)
        guard consistent else {
            throw .inconsistent("the checkpoint of size \(checkpoint.size) is not consistent with the checkpoint of size "
                                + "\(known.size) this witness cosigned: a split view (two different histories)")
        }
        do {
            try Data(note.utf8).write(to: URL(fileURLWithPath: statePath), options: .atomic)
        } catch {
            throw .failed("cannot save the witness state: \(error.localizedDescription)")
        }
        latest = checkpoint
        let time = UInt64(max(0, now.timeIntervalSince1970.rounded(.down)))
        do { return try signer.cosign(text: text, time: time) } catch { throw .failed("signing failed: \(error)") }
    }
}
