import ArgumentParser
import Foundation
import Ledger
import PostgresStore
import Storage

/// `aqyl data …`: moving a deployment's data between stores.
struct DataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data", abstract: "Move a deployment's data between stores.", subcommands: [DataMigrateCommand.self])
}

/// `aqyl data migrate --from sqlite:PATH --to postgres://…`: one machine's SQLite store and
/// usage log into the PostgreSQL database replicas share. Afterwards both verify to the
/// same Merkle root (printed, and checked here).
struct DataMigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Copy conversations, feedback, API keys and the usage log from SQLite to an empty PostgreSQL database.")

    @Option(help: ArgumentHelp("The SQLite store: sqlite:PATH (its usage log is the ledger/ folder beside it).", valueName: "URL"))
    var from: String

    @Option(help: ArgumentHelp("The empty PostgreSQL database: postgres://USER:PASS@HOST:PORT/DB.", valueName: "URL"))
    var to: String

    func run() async throws {
        guard case let .sqlite(path?) = try parse(from) else { throw CLIError("--from must be sqlite:PATH") }
        guard case let .postgres(target) = try parse(to) else { throw CLIError("--to must be postgres://USER:PASS@HOST:PORT/DB") }
        guard FileManager.default.fileExists(atPath: path) else { throw CLIError("--from: no SQLite file at \(path)") }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        let export: StoreExport
        do { export = try DataStore(directory: directory, path: path).exportAll() } catch { throw CLIError(error.description) }
        let log = try Self.readLog(directory.appendingPathComponent("ledger"))
        let database: PostgresDatabase
        do { database = try await PostgresDatabase.open(target) } catch { throw CLIError(error.description) }
        let (counts, snapshot) = try await database.withRunning {
            do {
                let counts = try await PostgresImport.run(export, log: log, into: database)
                return (counts, log == nil ? nil : try await LogSnapshot.read(database))
            } catch {
                throw CLIError("\(error)")
            }
        }
        printErr("copied \(counts.conversations) conversations, \(counts.messages) messages, \(counts.feedback) ratings, "
                 + "\(counts.keys) API keys, \(counts.entries) log entries and \(counts.checkpoints) checkpoints to \(target)")
        guard let log, let snapshot else {
            printErr("no usage log beside \(path) (ledger/); nothing signed to copy")
            return
        }
        // Both stores must verify to the same root: recompute it from what PostgreSQL now holds.
        let source = try Self.root(entries: log.entries, note: log.checkpoints.last, key: log.verifierKey)
        let copied = try Self.root(entries: snapshot.entries, note: snapshot.checkpoints.last, key: snapshot.verifierKey)
        guard source == copied else { throw CLIError("the copied log's root differs from the source's: \(copied) vs \(source)") }
        print("root \(source) (size \(snapshot.entries.count)) in both stores")
        printErr("""
            Start the replicas with the source's signing key, which never goes into the database: \
            --log-key \(directory.appendingPathComponent("ledger/signing.key").path) (or AQYL_LOG_SIGNING_KEY); \
            and the first one with the source's ledger/pseudonym.key and web-identity.key in its --data, \
            so people keep their pseudonyms and cookies (the others adopt them from the database).
            """)
    }

    private func parse(_ text: String) throws -> DatabaseLocation {
        do { return try DatabaseLocation(parsing: text) } catch { throw CLIError(error.description) }
    }

    /// The local usage log, read only; nil when the directory has none.
    static func readLog(_ dir: URL) throws -> PostgresImport.Log? {
        let keyFile = dir.appendingPathComponent("signing.key")
        guard FileManager.default.fileExists(atPath: keyFile.path) else { return nil }
        let origin = try String(contentsOf: dir.appendingPathComponent("origin"), encoding: .utf8)
        let key = try TransparencyLog.loadOrCreateKey(keyFile, create: false)
        let checkpoints = (try? RecordLog.read(path: dir.appendingPathComponent("checkpoints.log").path).records) ?? []
        let entries = (try? RecordLog.read(path: dir.appendingPathComponent("entries.log").path).records) ?? []
        let notes = checkpoints.map { String(decoding: $0, as: UTF8.self) }
        // Only what a checkpoint covers: unsigned entries are re-signed by nobody.
        let size = notes.last.flatMap(LedgerSource.checkpointSize) ?? 0
        return PostgresImport.Log(origin: origin, verifierKey: NoteSigner(name: origin, key: key).verifierKey,
                                  entries: Array(entries.prefix(size)), checkpoints: notes)
    }

    /// The signed root, after checking it against the entries.
    static func root(entries: [[UInt8]], note: String?, key: String) throws -> String {
        guard let note else { return "(empty)" }
        let checkpoint = try Checkpoint(body: try NoteVerifier(verifierKey: key).verify(note: note))
        var tree = MerkleTree()
        for e in entries { tree.append(leaf: e) }
        guard tree.size == checkpoint.size, tree.root() == checkpoint.root else {
            throw CLIError("the entries do not hash to the signed root of size \(checkpoint.size)")
        }
        return Data(checkpoint.root).base64EncodedString()
    }
}
