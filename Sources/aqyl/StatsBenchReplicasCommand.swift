import ArgumentParser
import Crypto
import Foundation
import Ledger
import PostgresStore
import Storage
import UsageStats

/// `aqyl stats bench-replicas`: the shared log and limits on PostgreSQL (docs/benchmarks.md).
/// Replicas here are pools and logs in one process, each with its own connections, as
/// separate processes would have; the database is what they share and what is measured.
struct StatsBenchReplicasCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-replicas",
        abstract: "Benchmark durable usage events and shared rate limits on PostgreSQL with 1 or more replicas.")

    @Option(help: ArgumentHelp("An empty PostgreSQL database used only for this benchmark.", valueName: "URL"))
    var database: String
    @Option(help: "Replicas appending to the one log.") var replicas = 1
    @Option(help: "Concurrent writers (spread over the replicas).") var writers = 8
    @Option(help: "Events to append in all.") var events = 4000
    @Option(help: "Rate-limit checks to time.") var limitChecks = 2000

    func validate() throws {
        guard (1...16).contains(replicas) else { throw ValidationError("--replicas must be 1...16") }
        guard (1...256).contains(writers) else { throw ValidationError("--writers must be 1...256") }
        guard (1...10_000_000).contains(events), (0...10_000_000).contains(limitChecks) else { throw ValidationError("counts out of range") }
    }

    func run() async throws {
        guard case let .postgres(location) = try DatabaseLocation(parsing: database) else { throw CLIError("--database must be postgres://…") }
        let key = Curve25519.Signing.PrivateKey()
        var nodes: [(database: PostgresDatabase, log: ReplicatedLog)] = []
        let spoolRoot = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("aqyl-bench-spool-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: spoolRoot) }
        for i in 0..<replicas {
            let db = try await PostgresDatabase.open(location, maximumConnections: max(2, writers / replicas + 2))
            db.start()
            let log = try await ReplicatedLog.open(database: db, origin: "bench.aqyl/stats", key: key,
                                                   spoolDirectory: spoolRoot.appendingPathComponent("\(i)"))
            nodes.append((db, log))
        }
        let start = nodes[0].log.size
        let sample = try LedgerEntry.event(UsageEvent(time: Int(Date().timeIntervalSince1970), user: String(repeating: "ab", count: 16),
                                                      channel: .web, model: "smollm2-135m", conversation: String(repeating: "cd", count: 16),
                                                      promptTokens: 37, completionTokens: 24)).bytes()
        let runners = nodes.map { node in Task { try await node.log.run() } }
        defer { for r in runners { r.cancel() } }

        // 1. Shared rate limits: one statement per request.
        if limitChecks > 0 {
            // As the server has them: on pools whose commits skip the WAL flush.
            var pools: [PostgresRateLimitStore] = []
            for _ in 0..<replicas {
                let db = try await PostgresDatabase.open(location, maximumConnections: max(2, writers / replicas + 2), durableCommits: false)
                db.start()
                pools.append(PostgresRateLimitStore(db))
            }
            let limits = pools
            let (latencies, wall) = try await Self.timed(workers: writers, total: limitChecks) { worker, i in
                _ = try await limits[worker % limits.count].acquire(key: "key_bench\(i % 50)", perMinute: 1_000_000)
            }
            print(String(format: "rate limit (shared, %d replica%@, %d writers): %.0f checks/s; added per request p50 %.2f ms, p99 %.2f ms",
                         replicas, replicas == 1 ? "" : "s", writers, Double(limitChecks) / wall,
                         Self.pct(latencies, 0.5), Self.pct(latencies, 0.99)))
        }

        // 2. Durable events: committed in PostgreSQL before the append returns.
        let logs = nodes.map(\.log)
        let began = Date()
        let (latencies, wall) = try await Self.timed(workers: writers, total: events) { worker, _ in
            try await logs[worker % logs.count].append(sample)
        }
        print(String(format: "events (durable, %d replica%@ × %d writers): %.0f events/s; added per request p50 %.2f ms, p99 %.2f ms",
                     replicas, replicas == 1 ? "" : "s", writers, Double(events) / wall,
                     Self.pct(latencies, 0.5), Self.pct(latencies, 0.99)))

        // 3. The sequencer: until every event is in a signed checkpoint, served by every replica.
        while nodes.contains(where: { $0.log.size < start + events }) {
            for node in nodes { _ = try? await node.log.checkpoint() }
            try await Task.sleep(for: .milliseconds(50))
        }
        let signed = Date().timeIntervalSince(began)
        print(String(format: "sequenced and signed: %d events in %.1f s from the first append (%.0f events/s); %d checkpoints",
                     events, signed, Double(events) / signed, nodes[0].log.checkpointHistory.count))
        for node in nodes { await node.database.stop() }
    }

    /// Runs `total` operations over `workers` tasks; each operation's latency, sorted, and the wall time.
    static func timed(workers: Int, total: Int, _ op: @escaping @Sendable (Int, Int) async throws -> Void) async throws -> ([Double], Double) {
        let began = Date()
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for w in 0..<workers {
                group.addTask {
                    var out: [Double] = []
                    var i = w
                    while i < total {
                        let t = Date()
                        try await op(w, i)
                        out.append(Date().timeIntervalSince(t))
                        i += workers
                    }
                    return out
                }
            }
            var all: [Double] = []
            for try await part in group { all += part }
            return all.sorted()
        }
        return (latencies, Date().timeIntervalSince(began))
    }

    static func pct(_ sorted: [Double], _ p: Double) -> Double {
        sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] * 1000
    }
}
