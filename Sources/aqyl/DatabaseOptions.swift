import ArgumentParser
import Foundation
import PostgresStore
import Storage

/// `--data` and `--database`, with the same defaults as `aqyl serve`.
struct DatabaseOptions: ParsableArguments {
    @Option(help: "Data directory of the server (default: $AQYL_DATA or ~/.local/share/aqyl).")
    var data: String?

    @Option(help: ArgumentHelp("Database: sqlite:PATH (default: aqyl.sqlite in --data) or postgres://USER:PASS@HOST:PORT/DB "
                               + "(default: $AQYL_DATABASE_URL).", valueName: "URL"))
    var database: String?

    var dataDirectory: URL { data.map { URL(fileURLWithPath: $0) } ?? DataStore.defaultDirectory }

    func location() throws -> DatabaseLocation {
        do { return try DatabaseLocation.resolve(database) } catch { throw CLIError(error.description) }
    }

    /// Runs `body` with the key store of this database (and, for PostgreSQL, its pool running).
    func withKeys<T: Sendable>(_ body: @Sendable (any APIKeyRepository) async throws -> T) async throws -> T {
        do {
            switch try location() {
            case let .sqlite(path):
                return try await body(APIKeyStore(try DataStore(directory: dataDirectory, path: path)))
            case let .postgres(location):
                let database = try await PostgresDatabase.open(location)
                return try await database.withRunning { try await body(PostgresAPIKeyStore(database)) }
            }
        } catch let error as StorageError {
            throw CLIError(error.description)
        }
    }
}
