import Foundation
import Ledger

/// What `aqyl stats verify` checks, independent of how the data was fetched
/// (HTTP or a data directory): signature, Merkle root, every published
/// figure, and append-only consistency with an earlier checkpoint.
public struct LedgerVerifier {
    public struct Check: Sendable {
        public var name: String
        public var passed: Bool
        public var detail: String
    }

    public private(set) var checks: [Check] = []
    public var passed: Bool { !checks.isEmpty && checks.allSatisfy(\.passed) }

    public init() {}

    private mutating func record(_ name: String, _ passed: Bool, _ detail: String) {
        checks.append(Check(name: name, passed: passed, detail: detail))
    }

    /// 1. The checkpoint's signature under the trusted key; returns the checkpoint.
    public mutating func checkSignature(note: String, verifierKey: String) -> Checkpoint? {
        do {
            let verifier = try NoteVerifier(verifierKey: verifierKey)
            let checkpoint = try Checkpoint(body: try verifier.verify(note: note))
            record("signature", true, "checkpoint of \(checkpoint.size) entries signed by \(verifier.name)")
            return checkpoint
        } catch {
            record("signature", false, "\(error)")
            return nil
        }
    }

    /// 1b. Every checkpoint the log ever signed (oldest first): each signature valid under
    /// the trusted key, sizes never shrinking, and each root equal to the root of that many
    /// of the entries — so no earlier checkpoint was corrupted, and the log never showed a
    /// history it later rewrote.
    public mutating func checkHistory(notes: [String], verifierKey: String, tree: MerkleTree) {
        guard let verifier = try? NoteVerifier(verifierKey: verifierKey) else {
            record("every checkpoint", false, "the verifier key cannot be read")
            return
        }
        var previous = 0
        for (i, note) in notes.enumerated() {
            let checkpoint: Checkpoint
            do {
                checkpoint = try Checkpoint(body: try verifier.verify(note: note))
            } catch {
                record("every checkpoint", false, "checkpoint \(i + 1) of \(notes.count): \(error)")
                return
            }
            guard checkpoint.size >= previous else {
                record("every checkpoint", false, "checkpoint \(i + 1) has size \(checkpoint.size), smaller than the \(previous) before it")
                return
            }
            guard checkpoint.size <= tree.size, tree.root(size: checkpoint.size) == checkpoint.root else {
                record("every checkpoint", false, "checkpoint \(i + 1) (size \(checkpoint.size)) does not match the log's first \(checkpoint.size) entries")
                return
            }
            previous = checkpoint.size
        }
        record("every checkpoint", !notes.isEmpty, notes.isEmpty ? "no checkpoints"
               : "\(notes.count) checkpoints, each signed and a prefix of the log")
    }

    /// 1c. At least `quorum` of the given witnesses cosigned the checkpoint (tlog-cosignature/v1).
    public mutating func checkCosignatures(note: String, witnesses: [CosignatureVerifier], quorum: Int) {
        let signed = witnesses.filter { $0.verify(note: note) != nil }.map(\.name)
        let missing = witnesses.map(\.name).filter { !signed.contains($0) }
        record("witnesses", signed.count >= quorum,
               "\(signed.count) of \(witnesses.count) witnesses cosigned (quorum \(quorum))"
                   + (signed.isEmpty ? "" : ": \(signed.joined(separator: ", "))")
                   + (missing.isEmpty ? "" : "; missing: \(missing.joined(separator: ", "))"))
    }

    /// 2. The entries hash to the checkpoint's root.
    public mutating func checkRoot(entries: [[UInt8]], checkpoint: Checkpoint) -> MerkleTree? {
        guard entries.count == checkpoint.size else {
            record("merkle root", false, "got \(entries.count) entries, the checkpoint covers \(checkpoint.size)")
            return nil
        }
        var tree = MerkleTree()
        for e in entries { tree.append(leaf: e) }
        let ok = tree.root() == checkpoint.root
        record("merkle root", ok, ok ? "recomputed from \(entries.count) entries" : "recomputed root differs from the signed root")
        return ok ? tree : nil
    }

    /// 3. Every aggregate in the log, and the published report, equal a recomputation.
    public mutating func checkFigures(entries: [[UInt8]], published: UsageReport?) {
        var events: [UsageEvent] = []
        var aggregates: [(index: Int, record: AggregateRecord)] = []
        for (i, bytes) in entries.enumerated() {
            do {
                switch try LedgerEntry(bytes: bytes) {
                case let .event(e): events.append(e)
                case let .aggregate(a): aggregates.append((i, a))
                }
            } catch {
                record("entries", false, "entry \(i) is not a valid event or aggregate: \(error)")
                return
            }
        }
        record("entries", true, "\(events.count) events, \(aggregates.count) daily aggregates")
        let calculator = UsageCalculator(events: events)
        var mismatches: [String] = []
        for (i, a) in aggregates {
            guard a.definitions == Definitions.version, let day = UTCDay.day(of: a.figures.day) else {
                mismatches.append("entry \(i): definitions \(a.definitions) are not \(Definitions.version)")
                continue
            }
            if calculator.figures(day: day) != a.figures { mismatches.append("entry \(i): aggregate for \(a.figures.day)") }
        }
        record("daily aggregates", mismatches.isEmpty,
               mismatches.isEmpty ? "\(aggregates.count) recomputed and equal" : "differ: " + mismatches.prefix(5).joined(separator: "; "))
        if let published {
            guard let from = UTCDay.day(of: published.from), let to = UTCDay.day(of: published.to) else {
                record("published figures", false, "bad date range \(published.from)…\(published.to)")
                return
            }
            let recomputed = calculator.report(from: from, to: to)
            var diffs: [String] = []
            if recomputed.definitions != published.definitions { diffs.append("definitions") }
            for (a, b) in zip(recomputed.days, published.days) where a != b { diffs.append(a.day) }
            if recomputed.days.count != published.days.count { diffs.append("number of days") }
            if recomputed.retention != published.retention { diffs.append("retention") }
            record("published figures", diffs.isEmpty,
                   diffs.isEmpty ? "\(published.days.count) days and \(published.retention.count) cohorts recomputed and equal"
                                 : "differ: " + diffs.prefix(5).joined(separator: ", "))
        }
    }

    /// 4. The new checkpoint extends the one saved earlier: the server's proof
    /// verifies, and the saved root equals the root of the first entries.
    public mutating func checkConsistency(saved: Checkpoint, current: Checkpoint, proof: [MerkleHash], tree: MerkleTree?) {
        let proofOK = MerkleProof.verifyConsistency(oldSize: saved.size, newSize: current.size, oldRoot: saved.root,
                                                    newRoot: current.root, proof: proof)
        let prefixOK = tree.map { saved.size <= $0.size && $0.root(size: saved.size) == saved.root } ?? true
        record("append-only", proofOK && prefixOK,
               proofOK && prefixOK ? "size \(saved.size) → \(current.size) is an extension"
                                   : "the log is not an extension of the checkpoint saved earlier (size \(saved.size))")
    }
}
