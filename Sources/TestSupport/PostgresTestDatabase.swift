import Foundation
import Logging
import PostgresNIO
import Storage

/// A fresh, empty PostgreSQL database per test, on the server named by
/// `AQYL_TEST_POSTGRES_URL` (which `.ci/run` and `scripts/test.sh` start with
/// `scripts/postgres_start.sh`). Without that variable the PostgreSQL variants of the
/// tests fail, loudly, rather than skip.
public enum PostgresTestDatabase {
    public static let environmentVariable = "AQYL_TEST_POSTGRES_URL"

    public struct NotConfigured: Error, CustomStringConvertible {
        public var description: String {
            "\(PostgresTestDatabase.environmentVariable) is not set: start a server with "
                + "`export \(PostgresTestDatabase.environmentVariable)=$(scripts/postgres_start.sh)`"
        }
    }

    /// The server's URL, as configured.
    public static func serverLocation() throws -> PostgresLocation {
        guard let url = ProcessInfo.processInfo.environment[environmentVariable], !url.isEmpty else { throw NotConfigured() }
        return try PostgresLocation(parsing: url)
    }

    /// Creates a new database `aqyl_t_<random>` and returns its location (same login).
    /// `scripts/postgres_start.sh` drops old ones when it starts.
    public static func fresh() async throws -> PostgresLocation {
        var location = try serverLocation()
        let name = "aqyl_t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        let config = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password,
            database: location.database, tls: .disable)
        let connection = try await PostgresConnection.connect(configuration: config, id: 1, logger: Logger(label: "aqyl.test"))
        do {
            try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: Logger(label: "aqyl.test"))
            try await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
        location.database = name
        location.sslMode = .disable
        return location
    }
}

extension PostgresLocation {
    /// The location as a `--database` URL, password included (for test processes only).
    public var testURL: String {
        let password = password.map { ":" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0) } ?? ""
        return "postgres://\(user)\(password)@\(host):\(port)/\(database)?sslmode=\(sslMode.rawValue)"
    }
}
