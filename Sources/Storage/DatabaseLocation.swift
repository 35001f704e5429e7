import Foundation

/// Where the server's durable state lives (`--database`, `AQYL_DATABASE_URL`):
/// `sqlite:PATH` (the embedded default, `aqyl.sqlite` in `--data`) or
/// `postgres://USER:PASS@HOST:PORT/DB` (shared by replicas).
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    /// A SQLite file; nil means `aqyl.sqlite` in the data directory.
    case sqlite(path: String?)
    case postgres(PostgresLocation)

    /// Parses a `--database` value.
    /// - Throws: ``StorageError/invalid(_:)`` naming what is wrong with the URL.
    public init(parsing text: String) throws(StorageError) {
        let text = text.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("sqlite:") {
            var path = String(text.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path.removeFirst(2) }
            guard !path.isEmpty else { throw .invalid("database URL '\(text)': sqlite: needs a file path (sqlite:/var/lib/aqyl/aqyl.sqlite)") }
            self = .sqlite(path: path)
        } else if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            self = .postgres(try PostgresLocation(parsing: text))
        } else {
            throw .invalid("database URL '\(Self.redacted(text))': expected sqlite:PATH or postgres://USER:PASS@HOST:PORT/DB")
        }
    }

    /// The location from `--database`, else `AQYL_DATABASE_URL`, else SQLite in the data directory.
    public static func resolve(_ flag: String?) throws(StorageError) -> DatabaseLocation {
        if let flag, !flag.isEmpty { return try DatabaseLocation(parsing: flag) }
        if let env = ProcessInfo.processInfo.environment["AQYL_DATABASE_URL"], !env.isEmpty {
            return try DatabaseLocation(parsing: env)
        }
        return .sqlite(path: nil)
    }

    public var description: String {
        switch self {
        case let .sqlite(path): return "sqlite:" + (path ?? "(data directory)/aqyl.sqlite")
        case let .postgres(location): return location.description
        }
    }

    /// A URL with its password replaced, for messages and logs.
    static func redacted(_ text: String) -> String {
        guard let at = text.lastIndex(of: "@"), let scheme = text.range(of: "://"), scheme.upperBound < at,
              let colon = text[scheme.upperBound..<at].firstIndex(of: ":") else { return text }
        return String(text[..<text.index(after: colon)]) + "***" + String(text[at...])
    }
}

/// A PostgreSQL server, database and login, from a `postgres://` URL.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    /// `?sslmode=`: `disable`, `prefer` (the default) or `require`.
    public var sslMode: SSLMode

    public enum SSLMode: String, Sendable {
        case disable, prefer, require
    }

    public init(host: String, port: Int = 5432, user: String, password: String?, database: String, sslMode: SSLMode = .prefer) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.sslMode = sslMode
    }

    public init(parsing text: String) throws(StorageError) {
        let shown = DatabaseLocation.redacted(text)
        func bad(_ why: String) -> StorageError { .invalid("database URL '\(shown)': \(why)") }
        guard let components = URLComponents(string: text) else { throw bad("not a URL") }
        guard let host = components.host, !host.isEmpty else { throw bad("no host (postgres://USER:PASS@HOST:PORT/DB)") }
        guard let user = components.user, !user.isEmpty else { throw bad("no user name (postgres://USER:PASS@HOST:PORT/DB)") }
        let port = components.port ?? 5432
        guard (1...65535).contains(port) else { throw bad("port \(port) is out of range") }
        var path = components.path
        while path.hasPrefix("/") { path.removeFirst() }
        guard !path.isEmpty, !path.contains("/") else { throw bad("no database name (postgres://USER:PASS@HOST:PORT/DB)") }
        var mode = SSLMode.prefer
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let value = item.value.flatMap(SSLMode.init(rawValue:)) else {
                    throw bad("sslmode must be disable, prefer or require, got '\(item.value ?? "")'")
                }
                mode = value
            default:
                throw bad("unknown parameter '\(item.name)' (only sslmode is understood)")
            }
        }
        self.init(host: host, port: port, user: user, password: components.password?.removingPercentEncoding ?? components.password,
                  database: path.removingPercentEncoding ?? path, sslMode: mode)
        if self.user.contains("%") { self.user = user.removingPercentEncoding ?? user }
    }

    /// The URL without the password.
    public var description: String {
        "postgres://\(user)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)"
    }
}
