import Foundation
import Ledger
import PostgresStore
import TestSupport
import Testing
import UsageStats
@testable import Server

/// Events, exclusions and the daily aggregate across a UTC day boundary.
@Suite struct UsageRecorderTests {
    /// Six browsers, a synthetic key, a no-script client, one browser at 25 requests a
    /// minute (past 20 are excluded), and the next day's first event, which closes
    /// 2026-11-30 (on the local log at once; on the shared log once the day is over).
    static func recordTheScenario(_ recorder: UsageRecorder) async {
        let day = Date(timeIntervalSince1970: 1_795_996_800)  // 2026-11-30 00:00 UTC
        func request(_ caller: Caller, script: Bool = true) -> UsageRecorder.Request {
            .init(caller: caller, model: "m", conversation: "c-\(caller.id)", promptTokens: 10, completionTokens: 5,
                  responded: true, fromWebScript: script)
        }
        for i in 0..<6 { await recorder.record(request(Caller(kind: .web, id: "browser\(i)")), now: day.addingTimeInterval(Double(i) * 60)) }
        await recorder.record(request(Caller(kind: .apiKey, id: "key_load", synthetic: true)), now: day.addingTimeInterval(600))
        await recorder.record(request(Caller(kind: .web, id: "nojs"), script: false), now: day.addingTimeInterval(700))
        for s in 0..<25 { await recorder.record(request(Caller(kind: .web, id: "browser0")), now: day.addingTimeInterval(3600 + Double(s))) }
        await recorder.record(request(Caller(kind: .web, id: "browser1")), now: day.addingTimeInterval(86400 + 60))
    }

    @Test func closesADayWithAVerifiableAggregate() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-recorder-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let recorder = try UsageRecorder(directory: dir, origin: "test/stats") { _ in }
        await Self.recordTheScenario(recorder)

        let entries = recorder.log.entries(in: 0..<recorder.log.size)
        let decoded = try entries.map { try LedgerEntry(bytes: $0) }
        let aggregates = decoded.compactMap { if case let .aggregate(a) = $0 { return a } else { return nil } }
        #expect(aggregates.count == 1)
        let figures = try #require(aggregates.first?.figures)
        #expect(figures.day == "2026-11-30")
        #expect(figures.dau == .value(6))
        #expect(figures.userMessages == .value(6 + 20))
        #expect(figures.excluded == ["synthetic": 1, "no_script": 1, "inhuman_rate": 5])
        // Pseudonyms only: no identity appears in the log.
        let text = entries.map { String(decoding: $0, as: UTF8.self) }.joined()
        #expect(!text.contains("browser") && !text.contains("key_load"))

        var verifier = LedgerVerifier()
        let signed = verifier.checkSignature(note: try await recorder.log.checkpoint(), verifierKey: recorder.log.verifierKey)
        let checkpoint = try #require(signed)
        _ = verifier.checkRoot(entries: entries, checkpoint: checkpoint)
        verifier.checkFigures(entries: entries, published: recorder.report(size: checkpoint.size, from: nil, to: nil))
        #expect(verifier.passed, "\(verifier.checks.map(\.detail))")
    }

    /// The same figures on the replicas' shared log: events go to PostgreSQL, and the
    /// sequencer decides the inhuman rate and appends the aggregate of each closed day.
    @Test func theSharedLogClosesDaysTheSameWay() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-recorder-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let database = try await PostgresDatabase.open(try await PostgresTestDatabase.fresh())
        database.start()
        let log = try await ReplicatedLog.open(database: database, origin: "test/stats", key: .init(),
                                               spoolDirectory: dir.appendingPathComponent("spool"))
        let recorder = try UsageRecorder(backend: .shared(log), pseudonyms: Pseudonymizer(keyBytes: Array(repeating: 7, count: 32))) { _ in }
        await Self.recordTheScenario(recorder)
        #expect(log.size == 0, "acknowledged in PostgreSQL, not yet sequenced")

        // The sequencer's rounds: the events, then an aggregate for every day that has closed.
        let sequencer = Task { try await log.run() }
        defer { sequencer.cancel() }
        let deadline = Date().addingTimeInterval(20)
        while log.size < 34, Date() < deadline { try await Task.sleep(for: .milliseconds(100)) }
        let entries = log.entries(in: 0..<log.size)
        let decoded = try entries.map { try LedgerEntry(bytes: $0) }
        let aggregates = decoded.compactMap { if case let .aggregate(a) = $0 { return a } else { return nil } }
        let first = try #require(aggregates.first?.figures)
        #expect(first.day == "2026-11-30")
        #expect(first.dau == .value(6))
        #expect(first.userMessages == .value(6 + 20))
        #expect(first.excluded == ["synthetic": 1, "no_script": 1, "inhuman_rate": 5])
        // Each later day up to yesterday is closed too, once.
        #expect(Set(aggregates.map(\.figures.day)).count == aggregates.count)

        var verifier = LedgerVerifier()
        let signed = verifier.checkSignature(note: try await log.checkpoint(), verifierKey: log.verifierKey)
        let checkpoint = try #require(signed)
        _ = verifier.checkRoot(entries: log.entries(in: 0..<checkpoint.size), checkpoint: checkpoint)
        verifier.checkFigures(entries: log.entries(in: 0..<checkpoint.size),
                              published: recorder.report(size: checkpoint.size, from: nil, to: nil))
        #expect(verifier.passed, "\(verifier.checks.map(\.detail))")
        await database.stop()
    }
}
