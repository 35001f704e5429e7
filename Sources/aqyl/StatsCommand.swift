import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Ledger
import PostgresStore
import Storage
import UsageStats

struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats", abstract: "Verify and report the public usage statistics.",
        subcommands: [StatsVerifyCommand.self, StatsReportCommand.self, StatsWitnessCommand.self, StatsBenchCommand.self,
                      StatsBenchReplicasCommand.self])
}

/// Where the log comes from: a server's /stats routes, a data directory, or the
/// PostgreSQL database replicas share.
enum LedgerSource {
    case url(String)
    case directory(URL)
    case postgres(PostgresLocation)

    static func from(url: String?, data: String?, database: String? = nil) throws -> LedgerSource {
        if let url { return .url(url.hasSuffix("/") ? String(url.dropLast()) : url) }
        // With no source named, a deployment configured by AQYL_DATABASE_URL is read from its database.
        let environment = ProcessInfo.processInfo.environment["AQYL_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
        if let database = database ?? (data == nil ? environment : nil) {
            switch try DatabaseLocation(parsing: database) {
            case let .postgres(location): return .postgres(location)
            case .sqlite: break // the log of a SQLite deployment is in its data directory
            }
        }
        let dir = data.map { URL(fileURLWithPath: $0) } ?? DataStore.defaultDirectory
        return .directory(dir.appendingPathComponent("ledger"))
    }

    func get(_ path: String) async throws -> Data {
        guard case let .url(base) = self, let url = URL(string: base + path) else { throw CLIError("bad URL for \(path)") }
        let (data, response) = try await URLSession.shared.data(from: url)
        guard let http = response as? HTTPURLResponse, http.statusCode == 200 else {
            throw CLIError("GET \(path): HTTP \((response as? HTTPURLResponse)?.statusCode ?? 0): \(String(decoding: data.prefix(300), as: UTF8.self))")
        }
        return data
    }

    /// The size line of a signed note's checkpoint (unverified: only to know how much to fetch).
    static func checkpointSize(_ note: String) -> Int? {
        (try? Checkpoint(body: (note.components(separatedBy: "\n\n").first ?? "") + "\n"))?.size
    }

    /// The verifier key, the latest checkpoint note, all entries it covers, every checkpoint
    /// signed so far (oldest first), and any note about the files (read only, never changed).
    func fetch() async throws -> (key: String, note: String, entries: [[UInt8]], history: [String], remarks: [String]) {
        switch self {
        case .url:
            let key = String(decoding: try await get("/stats/key"), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            let note = String(decoding: try await get("/stats/checkpoint"), as: UTF8.self)
            let size = Self.checkpointSize(note) ?? 0
            var entries: [[UInt8]] = []
            while entries.count < size {
                let page = try JSONDecoder().decode(EntriesPageWire.self, from: try await get("/stats/entries?start=\(entries.count)&end=\(size)"))
                guard !page.entries.isEmpty else { break }
                for e in page.entries {
                    guard let bytes = Data(base64Encoded: e) else { throw CLIError("entry \(entries.count) is not base64") }
                    entries.append(Array(bytes))
                }
            }
            // Every checkpoint up to the one being verified (a newer one may have been signed since).
            var history = (try? JSONDecoder().decode([String].self, from: try await get("/stats/checkpoints"))) ?? [note]
            if let i = history.firstIndex(of: note) { history = Array(history[...i]) } else { history.append(note) }
            return (key, note, entries, history, [])
        case let .postgres(location):
            let database: PostgresDatabase
            do { database = try await PostgresDatabase.open(location) } catch { throw CLIError(error.description) }
            let snapshot: LogSnapshot
            do { snapshot = try await database.withRunning { try await LogSnapshot.read(database) } } catch { throw CLIError("\(error)") }
            guard let note = snapshot.checkpoints.last else { throw CLIError("the database's log has no signed checkpoint yet") }
            return (snapshot.verifierKey, note, snapshot.entries, snapshot.checkpoints, [])
        case let .directory(dir):
            let keyData = try Data(contentsOf: dir.appendingPathComponent("signing.key"))
            let origin = (try? String(contentsOf: dir.appendingPathComponent("origin"), encoding: .utf8)) ?? "aqyl/stats"
            let signer = NoteSigner(name: origin, key: try .init(rawRepresentation: keyData))
            // Read only: a verifier never cuts or rewrites the files it checks.
            let checkpointsFile = try RecordLog.read(path: dir.appendingPathComponent("checkpoints.log").path)
            let entriesFile = try RecordLog.read(path: dir.appendingPathComponent("entries.log").path)
            let history = checkpointsFile.records.map { String(decoding: $0, as: UTF8.self) }
            guard let note = history.last else { throw CLIError("\(dir.path) has no signed checkpoint yet") }
            var remarks: [String] = []
            for (name, file) in [("checkpoints.log", checkpointsFile), ("entries.log", entriesFile)] where file.tornBytes > 0 {
                remarks.append("\(name) ends in \(file.tornBytes) bytes of a record cut short (a crash mid-write); left in place")
            }
            let size = Self.checkpointSize(note) ?? entriesFile.records.count
            return (signer.verifierKey, note, Array(entriesFile.records.prefix(size)), history, remarks)
        }
    }
}

struct EntriesPageWire: Decodable {
    var start: Int
    var size: Int
    var entries: [String]
}

struct ProofWire: Decodable { var proof: [String] }

struct StatsVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the signed checkpoint, recompute the Merkle root and every published figure, and check the log only grew.")

    @Option(help: "Server base URL, e.g. http://127.0.0.1:8080.")
    var url: String?

    @Option(help: "Data directory to verify instead of a server (its ledger/ folder).")
    var data: String?

    @Option(help: ArgumentHelp("The replicas' database to verify instead of a server (postgres://…).", valueName: "URL"))
    var database: String?

    @Option(help: "Trusted verifier key (name+id+key). Without it, the server's key is used and printed so you can pin it.")
    var trust: String?

    @Option(help: "File with the checkpoint from an earlier run; checked for append-only consistency and updated on success.")
    var state: String?

    @Option(help: "A witness's verifier key whose cosignature counts (repeatable).")
    var witness: [String] = []

    @Option(help: "Valid witness cosignatures required (default: all given --witness keys).")
    var quorum: Int?

    func validate() throws {
        if let quorum, quorum < 0 || quorum > witness.count {
            throw ValidationError("--quorum must be between 0 and the number of --witness keys (\(witness.count))")
        }
        for key in witness where (try? CosignatureVerifier(verifierKey: key)) == nil {
            throw ValidationError("--witness \(key) is not a witness verifier key (name+id+base64(0x04 ‖ key))")
        }
    }

    func run() async throws {
        let source = try LedgerSource.from(url: url, data: data, database: database)
        let fetched = try await source.fetch()
        if trust == nil { print("trusting the log's own key (pin it with --trust): \(fetched.key)") }
        for remark in fetched.remarks { print("note: \(remark)") }
        var verifier = LedgerVerifier()
        let key = trust ?? fetched.key
        if let checkpoint = verifier.checkSignature(note: fetched.note, verifierKey: key) {
            let tree = verifier.checkRoot(entries: fetched.entries, checkpoint: checkpoint)
            if let tree { verifier.checkHistory(notes: fetched.history, verifierKey: key, tree: tree) }
            if !witness.isEmpty {
                verifier.checkCosignatures(note: fetched.note, witnesses: witness.compactMap { try? CosignatureVerifier(verifierKey: $0) },
                                           quorum: quorum ?? witness.count)
            }
            var published: UsageReport?
            if case .url = source {
                let data = try await source.get("/stats/figures?size=\(checkpoint.size)")
                published = try JSONDecoder().decode(UsageReport.self, from: data)
            }
            verifier.checkFigures(entries: fetched.entries, published: published)
            if let state, let saved = try? String(contentsOfFile: state, encoding: .utf8) {
                var check = LedgerVerifier()
                if let old = check.checkSignature(note: saved, verifierKey: key) {
                    var proof: [MerkleHash] = []
                    if case .url = source {
                        let wire = try JSONDecoder().decode(ProofWire.self, from: try await source.get(
                            "/stats/proof/consistency?old=\(old.size)&new=\(checkpoint.size)"))
                        proof = wire.proof.compactMap { Data(base64Encoded: $0).map { Array($0) } }
                    } else if let tree {
                        proof = tree.consistencyProof(old: old.size, new: checkpoint.size) ?? []
                    }
                    verifier.checkConsistency(saved: old, current: checkpoint, proof: proof, tree: tree)
                } else {
                    throw CLIError("the saved checkpoint in \(state) does not verify with the trusted key")
                }
            }
        }
        for c in verifier.checks { print("\(c.passed ? "PASS" : "FAIL")  \(c.name): \(c.detail)") }
        guard verifier.passed else {
            let failed = verifier.checks.filter { !$0.passed }.map(\.name).joined(separator: ", ")
            throw CLIError("verification failed: \(failed)")
        }
        if let state { try fetched.note.write(toFile: state, atomically: true, encoding: .utf8) }
        print("verified: the figures follow from the signed log")
    }
}

struct StatsReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "report", abstract: "Print the usage figures for a date range.")

    @Option(help: "Server base URL; default: read the data directory.")
    var url: String?

    @Option(help: "Data directory (default: $AQYL_DATA or ~/.local/share/aqyl).")
    var data: String?

    @Option(help: ArgumentHelp("The replicas' database to read instead (postgres://…).", valueName: "URL"))
    var database: String?

    @Option(help: "First day, YYYY-MM-DD (default: 29 days before --to).")
    var from: String?

    @Option(help: "Last day, YYYY-MM-DD (default: the last day with events).")
    var to: String?

    @Flag(help: "JSON output.") var json = false
    @Flag(help: "CSV output.") var csv = false

    func run() async throws {
        let source = try LedgerSource.from(url: url, data: data, database: database)
        let fetched = try await source.fetch()
        let events = fetched.entries.compactMap { bytes -> UsageEvent? in
            if case let .event(e) = try? LedgerEntry(bytes: bytes) { return e } else { return nil }
        }
        let toDay = try to.map { d in try UTCDay.day(of: d) ?? { throw CLIError("--to must be YYYY-MM-DD") }() }
            ?? events.last.map { UTCDay.number($0.time) } ?? UTCDay.number(Int(Date().timeIntervalSince1970))
        let fromDay = try from.map { d in try UTCDay.day(of: d) ?? { throw CLIError("--from must be YYYY-MM-DD") }() } ?? toDay - 29
        guard fromDay <= toDay else { throw CLIError("--from is after --to") }
        let report = UsageCalculator(events: events).report(from: fromDay, to: toDay)
        if json {
            print(String(decoding: try CanonicalJSON.encode(report), as: UTF8.self))
        } else if csv {
            print("day,dau,wau,mau,new_users,returning_users,conversations,user_messages,prompt_tokens,completion_tokens,excluded")
            for d in report.days {
                let excluded = d.excluded.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ";")
                print([d.day, "\(d.dau)", "\(d.wau)", "\(d.mau)", "\(d.newUsers)", "\(d.returningUsers)", "\(d.conversations)",
                       "\(d.userMessages)", "\(d.promptTokens)", "\(d.completionTokens)", excluded].joined(separator: ","))
            }
        } else {
            print("Usage \(report.from) … \(report.to) (definitions \(report.definitions); cells under 5 users show <5)")
            print("day         DAU   WAU   MAU   new  msgs  tokens(prompt+gen)  excluded")
            for d in report.days {
                let excluded = d.excluded.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                print("\(d.day)  \(pad(d.dau))  \(pad(d.wau))  \(pad(d.mau))  \(pad(d.newUsers))  \(pad(d.userMessages))  \(d.promptTokens)+\(d.completionTokens)  \(excluded)")
            }
        }
    }

    private func pad(_ c: Cell) -> String { String("\(c)".prefix(4)).padding(toLength: 4, withPad: " ", startingAt: 0) }
}
