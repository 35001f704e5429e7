import Crypto
import Foundation
import Ledger
import Testing
@testable import UsageStats

/// The verifier must fail on every kind of tampering.
@Suite struct LedgerVerifierTests {
    struct Fixture {
        var entries: [[UInt8]]
        var note: String
        var key: String
        var report: UsageReport
        var signer: NoteSigner
    }

    static func fixture() throws -> Fixture {
        let day0 = UTCDay.day(of: "2026-11-02") ?? 0
        var events: [UsageEvent] = []
        for d in 0..<3 {
            for u in 0..<(6 + d) {
                events.append(UsageEvent(time: (day0 + d) * 86400 + 3600 * u, user: "u\(u)", channel: u % 2 == 0 ? .web : .api,
                                         model: "m", conversation: u % 2 == 0 ? "c\(u)" : nil, promptTokens: 10 + u, completionTokens: 3))
            }
            events.append(UsageEvent(time: (day0 + d) * 86400 + 7200, user: "load", channel: .api, model: "m", conversation: nil,
                                     promptTokens: 1, completionTokens: 1, excluded: .synthetic))
        }
        let calc = UsageCalculator(events: events)
        var entries: [[UInt8]] = []
        for d in 0..<3 {
            for e in events where UTCDay.number(e.time) == day0 + d { entries.append(try LedgerEntry.event(e).bytes()) }
            entries.append(try LedgerEntry.aggregate(AggregateRecord(figures: calc.figures(day: day0 + d))).bytes())
        }
        var tree = MerkleTree()
        for e in entries { tree.append(leaf: e) }
        let signer = NoteSigner(name: "test/stats", key: Curve25519.Signing.PrivateKey())
        let note = try signer.sign(Checkpoint(origin: "test/stats", size: entries.count, root: tree.root()).body)
        return Fixture(entries: entries, note: note, key: signer.verifierKey, report: calc.report(from: day0, to: day0 + 2),
                       signer: signer)
    }

    static func verify(_ f: Fixture) -> LedgerVerifier {
        var v = LedgerVerifier()
        guard let checkpoint = v.checkSignature(note: f.note, verifierKey: f.key) else { return v }
        _ = v.checkRoot(entries: f.entries, checkpoint: checkpoint)
        v.checkFigures(entries: f.entries, published: f.report)
        return v
    }

    @Test func untouchedLogPasses() throws {
        let v = Self.verify(try Self.fixture())
        #expect(v.passed, "\(v.checks.map { "\($0.name): \($0.detail)" })")
    }

    @Test func flippingAnyByteOfAnyEntryFails() throws {
        let f = try Self.fixture()
        for i in f.entries.indices {
            for j in stride(from: 0, to: f.entries[i].count, by: max(1, f.entries[i].count / 7)) {
                var t = f
                t.entries[i][j] ^= 0x04
                #expect(!Self.verify(t).passed, "entry \(i) byte \(j)")
            }
        }
    }

    @Test func deletingOrReorderingEntriesFails() throws {
        let f = try Self.fixture()
        var deleted = f
        deleted.entries.remove(at: 2)
        #expect(!Self.verify(deleted).passed)
        var swapped = f
        swapped.entries.swapAt(1, 2)
        #expect(!Self.verify(swapped).passed)
    }

    @Test func aFalseFigureFailsEvenWhenSigned() throws {
        var f = try Self.fixture()
        // The operator inflates a published DAU but signs honestly over the log.
        f.report.days[0].dau = .value(600_000)
        #expect(!Self.verify(f).passed)
        // Or writes an inflated aggregate into the log and signs that.
        var g = try Self.fixture()
        var record = try #require({ () -> AggregateRecord? in
            if case let .aggregate(a) = try? LedgerEntry(bytes: g.entries[7]) { return a } else { return nil }
        }())
        record.figures.mau = .value(600_000)
        g.entries[7] = try LedgerEntry.aggregate(record).bytes()
        var tree = MerkleTree()
        for e in g.entries { tree.append(leaf: e) }
        g.note = try g.signer.sign(Checkpoint(origin: "test/stats", size: g.entries.count, root: tree.root()).body)
        let v = Self.verify(g)
        #expect(!v.passed)
        #expect(v.checks.first { $0.name == "daily aggregates" }?.passed == false)
    }

    @Test func aDifferentHistoryOfTheSameSizeFailsConsistency() throws {
        let f = try Self.fixture()
        var old = MerkleTree()
        for e in f.entries.prefix(5) { old.append(leaf: e) }
        var full = MerkleTree()
        for e in f.entries { full.append(leaf: e) }
        let current = Checkpoint(origin: "o", size: full.size, root: full.root())
        var honest = LedgerVerifier()
        honest.checkConsistency(saved: Checkpoint(origin: "o", size: 5, root: old.root()), current: current,
                                proof: full.consistencyProof(old: 5, new: full.size) ?? [], tree: full)
        #expect(honest.passed)
        // The same size, another history: what a log that rewrote its past would show.
        var other = MerkleTree()
        for (i, e) in f.entries.prefix(5).enumerated() { other.append(leaf: i == 3 ? Array("rewritten".utf8) : e) }
        var forked = LedgerVerifier()
        forked.checkConsistency(saved: Checkpoint(origin: "o", size: 5, root: other.root()), current: current,
                                proof: full.consistencyProof(old: 5, new: full.size) ?? [], tree: full)
        #expect(!forked.passed)
    }

    @Test func aSignatureByAnotherKeyFails() throws {
        var f = try Self.fixture()
        f.key = NoteSigner(name: "test/stats", key: Curve25519.Signing.PrivateKey()).verifierKey
        #expect(!Self.verify(f).passed)
    }
}
