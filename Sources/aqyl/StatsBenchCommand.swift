import ArgumentParser
import Foundation
import Ledger
import UsageStats

/// Benchmarks of the usage ledger (docs/benchmarks.md): durable append
/// throughput, per-append latency under concurrent writers (what a chat
/// request waits for), and `verify` over a large log.
struct StatsBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Benchmark the usage ledger.")

    @Option(help: "Durable appends to time (each one fdatasync'ed).") var appends = 2000
    @Option(help: "Concurrent writers for the latency measurement.") var writers = 8
    @Option(help: "Events in the log that verify recomputes.") var verifyEvents = 1_000_000
    @Option(help: "Directory for the temporary logs (default: the system temp dir).") var dir: String?

    func run() async throws {
        let root = URL(fileURLWithPath: dir ?? NSTemporaryDirectory()).appendingPathComponent("aqyl-stats-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let sample = try LedgerEntry.event(UsageEvent(time: 1_764_000_000, user: String(repeating: "ab", count: 16), channel: .web,
                                                      model: "smollm2-135m", conversation: String(repeating: "cd", count: 16),
                                                      promptTokens: 37, completionTokens: 24)).bytes()

        // 1. Sequential durable appends.
        let log = try TransparencyLog(directory: root.appendingPathComponent("a"), origin: "bench")
        var t = Date()
        for _ in 0..<appends { try log.append(sample) }
        let sequential = Double(appends) / Date().timeIntervalSince(t)
        print(String(format: "append (durable, 1 writer): %.0f events/s over %d events (%.2f ms each)", sequential, appends, 1000 / sequential))

        // 2. Concurrent writers: each append's latency is what one request adds.
        let perWriter = max(1, appends / writers)
        t = Date()
        let latencies = await withTaskGroup(of: [Double].self) { group in
            for _ in 0..<writers {
                group.addTask {
                    var out: [Double] = []
                    for _ in 0..<perWriter {
                        let s = Date()
                        _ = try? log.append(sample)
                        out.append(Date().timeIntervalSince(s))
                    }
                    return out
                }
            }
            var all: [Double] = []
            for await part in group { all += part }
            return all.sorted()
        }
        let wall = Date().timeIntervalSince(t)
        func pct(_ p: Double) -> Double { latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] * 1000 }
        print(String(format: "append (durable, %d writers): %.0f events/s; latency per append p50 %.2f ms, p99 %.2f ms, max %.2f ms",
                     writers, Double(latencies.count) / wall, pct(0.5), pct(0.99), (latencies.last ?? 0) * 1000))

        // 3. Verify over a large log: 5,000 users over 60 days, plus daily aggregates.
        var events: [UsageEvent] = []
        events.reserveCapacity(verifyEvents)
        var rng = SystemRandomNumberGenerator()
        let day0 = 20_400
        for i in 0..<verifyEvents {
            let day = day0 + i * 60 / verifyEvents
            let user = Int.random(in: 0..<5000, using: &rng)
            events.append(UsageEvent(time: day * 86400 + (i % 86400), user: String(format: "%032x", user),
                                     channel: user % 3 == 0 ? .api : .web, model: user % 4 == 0 ? "gemma3-270m" : "smollm2-135m",
                                     conversation: user % 3 == 0 ? nil : String(format: "%032x", user * 7 + i % 5),
                                     promptTokens: 20 + i % 50, completionTokens: 10 + i % 90,
                                     excluded: i % 97 == 0 ? .synthetic : nil))
        }
        t = Date()
        let big = try TransparencyLog(directory: root.appendingPathComponent("b"), origin: "bench")
        var batch: [[UInt8]] = []
        var day = day0
        for e in events {
            let d = UTCDay.number(e.time)
            if d != day { batch.append(try LedgerEntry.aggregate(AggregateRecord(figures: UsageCalculator(events: []).figures(day: day))).bytes()); day = d }
            batch.append(try LedgerEntry.event(e).bytes())
            if batch.count >= 50_000 { try big.append(contentsOf: batch); batch = [] }
        }
        try big.append(contentsOf: batch)
        let note = try big.checkpoint()
        print(String(format: "built a log of %d entries in %.1f s", big.size, Date().timeIntervalSince(t)))

        t = Date()
        let records = try RecordLog.open(path: root.appendingPathComponent("b/entries.log").path).records
        let read = Date().timeIntervalSince(t)
        var verifier = LedgerVerifier()
        t = Date()
        guard let checkpoint = verifier.checkSignature(note: note, verifierKey: big.signer.verifierKey) else { throw CLIError("bad signature") }
        _ = verifier.checkRoot(entries: records, checkpoint: checkpoint)
        let rootTime = Date().timeIntervalSince(t)
        t = Date()
        let published = UsageCalculator(events: events).report(from: day0 + 30, to: day0 + 59)
        verifier.checkFigures(entries: records, published: published)
        let figuresTime = Date().timeIntervalSince(t)
        // The aggregates here are deliberately empty placeholders, so that check must fail: it proves the recomputation ran.
        let failedAsExpected = verifier.checks.first { $0.name == "daily aggregates" }?.passed == false
        print(String(format: "verify %d entries: read %.1f s, signature + Merkle root %.1f s, recompute figures %.1f s, total %.1f s%@",
                     records.count, read, rootTime, figuresTime, read + rootTime + figuresTime,
                     failedAsExpected ? "" : " (warning: planted aggregate mismatch not detected)"))
    }
}
