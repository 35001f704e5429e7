import Foundation
import GRDB

/// Errors opening or using the data directory.
public enum StorageError: Error, Equatable, CustomStringConvertible {
    case cannotCreateDirectory(path: String, reason: String)
    case database(String)
    case notFound(String)
    case invalid(String)
    /// The database cannot be reached right now (a lost connection, a server restarting):
    /// worth retrying later, unlike ``database(_:)``.
    case unavailable(String)

    public var description: String {
        switch self {
        case let .cannotCreateDirectory(path, reason): return "cannot create the data directory \(path): \(reason)"
        case let .database(message): return "database error: \(message)"
        case let .notFound(what): return "\(what) not found"
        case let .invalid(message): return message
        case let .unavailable(message): return "database unavailable: \(message)"
        }
    }
}

/// The server's durable state: one SQLite database (WAL mode) in `--data DIR`.
///
/// Every store (conversations, feedback, API keys) registers its schema as a
/// named migration in ``DataStore/migrator``; migrations only ever append, so
/// an older data directory upgrades in place.
public final class DataStore: Sendable {
    public let directory: URL
    public let database: DatabasePool

    /// Opens (creating if needed) `directory/aqyl.sqlite`, or the file at `path`, and migrates it.
    /// - Throws: ``StorageError/database(_:)`` also for a database written by a newer aqyl
    ///   (a migration this version does not know), which is refused rather than misread.
    public init(directory: URL, path: String? = nil) throws(StorageError) {
        self.directory = directory
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw .cannotCreateDirectory(path: directory.path, reason: error.localizedDescription)
        }
        do {
            var config = Configuration()
            config.busyMode = .timeout(5)
            let file = path ?? directory.appendingPathComponent("aqyl.sqlite").path
            database = try DatabasePool(path: file, configuration: config)
            let migrator = Self.migrator
            let unknown = try database.read { db in try migrator.appliedIdentifiers(db).subtracting(migrator.migrations) }
            guard unknown.isEmpty else {
                throw StorageError.database("\(file) was written by a newer aqyl (schema steps this version does not know: "
                                            + "\(unknown.sorted().joined(separator: ", "))); upgrade aqyl to open it")
            }
            // GRDB runs the migrations in one write transaction: two processes starting together
            // serialize on SQLite's write lock, and the second finds them applied.
            try migrator.migrate(database)
            // GRDB sets synchronous=NORMAL with WAL, which may lose the last commits on power
            // loss; FULL syncs the WAL at each commit, so an acknowledged write is on disk.
            try database.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
        } catch let error as StorageError {
            throw error
        } catch {
            throw .database("\(error)")
        }
    }

    /// The default data directory: `$AQYL_DATA`, else `~/.local/share/aqyl`.
    public static var defaultDirectory: URL {
        if let env = ProcessInfo.processInfo.environment["AQYL_DATA"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".local/share/aqyl")
    }

    /// All schema migrations, in order. Add new ones at the end; never edit a shipped one.
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1-meta") { db in
            try db.create(table: "meta", ifNotExists: true) { t in
                t.primaryKey("key", .text)
                t.column("value", .text).notNull()
            }
        }
        APIKeyStore.registerMigrations(in: &m)
        m.registerMigration(ConversationSchema.migrationName, migrate: ConversationSchema.create)
        return m
    }
}
