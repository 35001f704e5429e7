import Crypto
import Foundation
import Ledger
@testable import PostgresStore
import Storage
import Testing
import TestSupport

/// The usage log shared by replicas: appends from any, one sequencer, takeover, the spool.
@Suite(.serialized) struct ReplicatedLogTests {
    struct Replica {
        let database: PostgresDatabase
        let log: ReplicatedLog
    }

    static func replica(_ location: PostgresLocation, key: Curve25519.Signing.PrivateKey, origin: String? = "test.example/stats",
                        spool: URL? = nil) async throws -> Replica {
        let database = try await PostgresDatabase.open(location)
        // Running until the test's `database.run()` task is cancelled.
        database.start()
        let spoolDirectory = spool ?? FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-spool-\(UUID().uuidString)")
        let log = try await database.withRunning {
            try await ReplicatedLog.open(database: database, origin: origin, key: key, spoolDirectory: spoolDirectory)
        }
        return Replica(database: database, log: log)
    }

    /// Polls until `condition` holds (the sequencer works in rounds of about a second).
    static func eventually(_ seconds: Double = 15, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try await condition()
    }

    @Test func appendsFromTwoReplicasBecomeOneSignedLog() async throws {
        let location = try await PostgresTestDatabase.fresh()
        let key = Curve25519.Signing.PrivateKey()
        let a = try await Self.replica(location, key: key), b = try await Self.replica(location, key: key, origin: nil)
        #expect(b.log.origin == "test.example/stats", "a replica opened without a name takes the stored one")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for r in [a, b] {
                group.addTask { try await r.database.run() }
                group.addTask { try await r.log.run() }
            }
            for i in 0..<20 { try await (i % 2 == 0 ? a : b).log.append(Array("entry \(i)".utf8)) }
            #expect(try await Self.eventually { (try? await a.log.checkpoint()).flatMap(Self.size) == 20 })
            #expect(try await Self.eventually { (try? await b.log.checkpoint()).flatMap(Self.size) == 20 })
            // One sequencer at a time.
            #expect([a.log.isSequencer, b.log.isSequencer].filter { $0 }.count == 1)
            // Both serve the same checkpoint and entries, and the checkpoint verifies.
            let note = try await a.log.checkpoint()
            #expect(try await b.log.checkpoint() == note)
            #expect(a.log.entries(in: 0..<20) == b.log.entries(in: 0..<20))
            #expect(Set(a.log.entries(in: 0..<20).map { String(decoding: $0, as: UTF8.self) }) == Set((0..<20).map { "entry \($0)" }))
            let checkpoint = try Checkpoint(body: try NoteVerifier(verifierKey: a.log.verifierKey).verify(note: note))
            var tree = MerkleTree()
            for e in b.log.entries(in: 0..<20) { tree.append(leaf: e) }
            #expect(tree.root() == checkpoint.root)
            // Every signed checkpoint extends the previous one.
            let history = b.log.checkpointHistory
            for (old, new) in zip(history, history.dropFirst()) {
                let o = try Checkpoint(body: try NoteVerifier(verifierKey: a.log.verifierKey).verify(note: old))
                let n = try Checkpoint(body: try NoteVerifier(verifierKey: a.log.verifierKey).verify(note: new))
                let proof = try #require(b.log.consistencyProof(old: o.size, new: n.size))
                #expect(MerkleProof.verifyConsistency(oldSize: o.size, newSize: n.size, oldRoot: o.root, newRoot: n.root, proof: proof))
            }
            group.cancelAll()
        }
    }

    @Test func anotherReplicaTakesOverWhenTheSequencerStops() async throws {
        let location = try await PostgresTestDatabase.fresh()
        let key = Curve25519.Signing.PrivateKey()
        let a = try await Self.replica(location, key: key), b = try await Self.replica(location, key: key)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await a.database.run() }
            group.addTask { try await b.database.run() }
            // Only A runs its sequencer at first.
            let sequencerA = Task { try await a.log.run() }
            for i in 0..<5 { try await b.log.append(Array("before \(i)".utf8)) }
            #expect(try await Self.eventually { a.log.isSequencer && a.log.size == 5 })
            sequencerA.cancel()
            _ = await sequencerA.result
            // B starts and takes over from the last signed state.
            group.addTask { try await b.log.run() }
            for i in 0..<5 { try await a.log.append(Array("after \(i)".utf8)) }
            let started = Date()
            let tookOver = try await Self.eventually {
                guard b.log.isSequencer else { return false }
                return (try? await b.log.checkpoint()).flatMap(Self.size) == 10
            }
            #expect(tookOver)
            #expect(Date().timeIntervalSince(started) < 10)
            #expect(b.log.entries(in: 0..<5).map { String(decoding: $0, as: UTF8.self) } == (0..<5).map { "before \($0)" })
            group.cancelAll()
        }
    }

    @Test func aReplicaWithAnotherKeyIsRefused() async throws {
        let location = try await PostgresTestDatabase.fresh()
        _ = try await Self.replica(location, key: Curve25519.Signing.PrivateKey())
        await #expect {
            _ = try await Self.replica(location, key: Curve25519.Signing.PrivateKey())
        } throws: { "\($0)".contains("signing key is not the log's") }
        await #expect {
            _ = try await Self.replica(location, key: Curve25519.Signing.PrivateKey(), origin: "other.example/stats")
        } throws: { "\($0)".contains("origin") }
    }

    /// Entries acknowledged while the database is unreachable wait in the local spool (on
    /// disk) and reach the log once it is back; delivering the spool twice adds nothing.
    @Test func theSpoolKeepsWhatTheDatabaseCouldNotTake() async throws {
        let location = try await PostgresTestDatabase.fresh()
        let key = Curve25519.Signing.PrivateKey()
        let spool = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-spool-\(UUID().uuidString)")
        // The pool is not running: every insert fails, so the entries go to the spool.
        let unreachable = try await Self.replicaWithClosedPool(location, key: key, spool: spool)
        for i in 0..<3 { try await unreachable.append(Array("offline \(i)".utf8)) }
        #expect(unreachable.spooled == 3)
        // The replica restarts (same spool directory) with the database back.
        let a = try await Self.replica(location, key: key, spool: spool)
        #expect(a.log.spooled == 3)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await a.database.run() }
            group.addTask { try await a.log.run() }
            // A replica on the same spool directory (a restart) delivers it.
            #expect(try await Self.eventually { a.log.size == 3 })
            try await Task.sleep(for: .seconds(2))
            #expect(a.log.size == 3, "delivered once")
            group.cancelAll()
        }
    }

    /// A replica whose database pool was never started: its queries fail at once.
    static func replicaWithClosedPool(_ location: PostgresLocation, key: Curve25519.Signing.PrivateKey, spool: URL) async throws -> ReplicatedLog {
        let database = try await PostgresDatabase.open(location)
        let log = try await database.withRunning {
            try await ReplicatedLog.open(database: database, origin: "test.example/stats", key: key, spoolDirectory: spool)
        }
        // withRunning has returned: the pool is shut down, so appends cannot reach the database.
        return log
    }

    static func size(_ note: String) -> Int? {
        try? Checkpoint(body: (note.components(separatedBy: "\n\n").first ?? "") + "\n").size
    }
}
