import Foundation
import Logging
import NIOSSL
import PostgresNIO
import ServiceLifecycle
import Storage
import Synchronization

/// The shared store of replicated `aqyl serve` processes: a PostgreSQL connection pool
/// (PostgresNIO's `PostgresClient`), opened after checking the server, the login and
/// the schema version, and migrated under a lock.
///
/// The pool runs as a Service: add it to the application's services (or use
/// ``withRunning(_:)`` in a command) before any query.
public final class PostgresDatabase: Service, Sendable {
    public let location: PostgresLocation
    let client: PostgresClient
    let logger: Logger

    private init(location: PostgresLocation, client: PostgresClient, logger: Logger) {
        self.location = location
        self.client = client
        self.logger = logger
    }

    /// Checks that the server answers and the login works, migrates the schema, and
    /// returns the pool (not yet running).
    /// - Throws: ``StorageError`` naming the problem: unreachable server, wrong password,
    ///   missing database, a schema from a newer aqyl.
    ///   - durableCommits: false for a pool whose writes may be lost in a database crash
    ///     (rate-limit buckets): its commits do not wait for the WAL flush
    ///     (`synchronous_commit = off`), which makes each about a millisecond cheaper.
    public static func open(_ location: PostgresLocation, logger: Logger = Logger(label: "aqyl.postgres"),
                            maximumConnections: Int = 20, durableCommits: Bool = true) async throws(StorageError) -> PostgresDatabase {
        let tls = try tlsConfiguration(location.sslMode)
        var connectionConfig = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password,
            database: location.database, tls: tls.connection)
        connectionConfig.options.connectTimeout = .seconds(5)
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(configuration: connectionConfig, id: 0, logger: logger)
        } catch {
            // Unreachable is worth a retry; a refused login or a missing database is not.
            throw storageError(error, context: "cannot connect to \(location)")
        }
        do {
            try await PostgresMigrations.migrate(connection, logger: logger)
            try? await connection.close()
        } catch {
            try? await connection.close()
            throw storageError(error, context: "migrating \(location)")
        }
        var config = PostgresClient.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password,
            database: location.database, tls: tls.client)
        config.options.connectTimeout = .seconds(3)
        config.options.maximumConnections = maximumConnections
        if !durableCommits { config.options.additionalStartupParameters = [("synchronous_commit", "off")] }
        // A replica keeps one connection warm so the first request after a quiet spell does not pay for a handshake.
        config.options.minimumConnections = 1
        return PostgresDatabase(location: location, client: PostgresClient(configuration: config, backgroundLogger: logger),
                                logger: logger)
    }

    private enum PoolState {
        case idle
        case running(Task<Void, Never>)
        case stopped
    }

    /// PostgresClient's `run()` may be called once per client: the pool runs in one task,
    /// started by the first user and stopped once, for good.
    private let pool = Mutex<PoolState>(.idle)

    /// Starts the pool if it has not started yet; returns whether this call started it.
    @discardableResult
    public func start() -> Bool {
        pool.withLock { state in
            guard case .idle = state else { return false }
            let client = client
            state = .running(Task { await client.run() })
            return true
        }
    }

    /// Stops the pool (queries fail from then on).
    public func stop() async {
        let task: Task<Void, Never>? = pool.withLock { state in
            defer { state = .stopped }
            if case let .running(task) = state { return task }
            return nil
        }
        task?.cancel()
        await task?.value
    }

    /// As a Service: the pool runs until the application shuts down (after the services
    /// listed after it, which still need the database while they stop).
    public func run() async throws {
        start()
        try? await gracefulShutdown()
        await stop()
    }

    /// Runs `body` with the pool running; a pool this call had to start is stopped after.
    public func withRunning<T>(_ body: () async throws -> T) async throws -> T {
        let started = start()
        do {
            let value = try await body()
            if started { await stop() }
            return value
        } catch {
            if started { await stop() }
            throw error
        }
    }

    // MARK: - Queries

    /// How long one statement or transaction of a request may take before the request is
    /// answered 503: a database that stopped answering must not hang the server's requests.
    public static let statementTimeout: Duration = .seconds(10)

    /// While the database is known to be down, requests fail at once (503) instead of each
    /// waiting out a timeout; one request a second probes whether it is back.
    private struct Outage {
        var down = false
        var lastProbe: ContinuousClock.Instant = .now
    }
    private let outage = Mutex(Outage())
    static let probeInterval: Duration = .seconds(1)
    /// How long a probe during an outage may wait for the database.
    static let probeTimeout: Duration = .seconds(3)

    /// The time a statement may take now: nil means fail at once (down, and not our turn to probe).
    private func admit(_ timeout: Duration) -> Duration? {
        outage.withLock { o in
            guard o.down else { return timeout }
            guard ContinuousClock.now - o.lastProbe >= Self.probeInterval else { return nil }
            o.lastProbe = .now
            return min(timeout, Self.probeTimeout)
        }
    }

    /// Records how a statement went, so an outage is noticed and its end too.
    private func observe(_ error: StorageError?) {
        outage.withLock { o in
            if case .unavailable? = error {
                if !o.down { o.lastProbe = .now }
                o.down = true
            } else {
                o.down = false
            }
        }
    }

    /// Whether the last statements found the database unreachable.
    public var isDown: Bool { outage.withLock { $0.down } }

    /// Runs `operation` within the outage rules and the timeout.
    func guarded<T: Sendable>(_ timeout: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws(StorageError) -> T {
        guard let allowed = admit(timeout) else { throw .unavailable("the database is unreachable") }
        do {
            let value = try await Self.bounded(allowed, operation)
            observe(nil)
            return value
        } catch {
            let mapped = Self.storageError(error)
            observe(mapped)
            throw mapped
        }
    }

    /// Runs one statement and collects its rows.
    func rows(_ query: PostgresQuery) async throws(StorageError) -> [PostgresRow] {
        let client = client, logger = logger
        return try await guarded(Self.statementTimeout) {
            var out: [PostgresRow] = []
            for try await row in try await client.query(query, logger: logger) { out.append(row) }
            return out
        }
    }

    /// Runs `operation`, giving up after `timeout` with ``StorageError/unavailable(_:)``. The
    /// operation is cancelled and left behind: a query stuck on a dead connection may not
    /// answer cancellation, and its caller must not wait for it.
    static func bounded<T: Sendable>(_ timeout: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        let race = Race()
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let work = Task {
                let result: Result<T, any Error>
                do { result = .success(try await operation()) } catch { result = .failure(error) }
                guard race.settle() else { return }
                race.timer.withLock { $0?.cancel() }
                continuation.resume(with: result)
            }
            let timer = Task {
                try? await Task.sleep(for: timeout)
                guard !Task.isCancelled, race.settle() else { return }
                work.cancel()
                continuation.resume(throwing: StorageError.unavailable("the database did not answer within \(timeout)"))
            }
            race.timer.withLock { $0 = timer }
        }
    }

    /// Who finished first in ``bounded(_:_:)``.
    private final class Race: Sendable {
        private let settled = Mutex(false)
        let timer = Mutex<Task<Void, Never>?>(nil)

        /// True for the first caller only.
        func settle() -> Bool { settled.withLock { done in defer { done = true }; return !done } }
    }

    /// Runs `body` in one transaction on one connection, committed before it returns.
    func transaction<T: Sendable>(timeout: Duration = statementTimeout,
                                  _ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws(StorageError) -> T {
        let logger = logger, client = client
        return try await guarded(timeout) {
              try await client.withConnection { connection in
                try await connection.query("BEGIN", logger: logger)
                do {
                    let value = try await body(connection)
                    try await connection.query("COMMIT", logger: logger)
                    return value
                } catch {
                    _ = try? await connection.query("ROLLBACK", logger: logger)
                    throw error
                }
              }
        }
    }

    // MARK: - Errors

    /// A ``StorageError`` for any error of a query: our own pass through; a lost or
    /// refused connection is ``StorageError/unavailable(_:)`` (retry later); a server
    /// error keeps its SQLSTATE and message.
    static func storageError(_ error: any Error, context: String? = nil) -> StorageError {
        if let error = error as? StorageError { return error }
        let prefix = context.map { "\($0): " } ?? ""
        if let error = error as? PSQLError {
            switch error.code {
            case .server:
                return .database(prefix + describe(error))
            case .queryCancelled, .tooManyParameters, .invalidCommandTag, .messageDecodingFailure, .unexpectedBackendMessage:
                return .database(prefix + describe(error))
            default:
                return .unavailable(prefix + describe(error))
            }
        }
        // The pool's own errors (shut down, no connection could be made) are about reaching the server.
        if String(reflecting: type(of: error)).contains("ConnectionPoolError") { return .unavailable(prefix + "\(error)") }
        if error is PostgresDecodingError { return .database(prefix + "unexpected column type: \(String(reflecting: error))") }
        return .database(prefix + String(describing: error))
    }

    /// What went wrong, in words (PSQLError's own description hides everything).
    static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return String(describing: error) }
        if let info = error.serverInfo {
            let state = info[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
            return (info[.message] ?? "server error") + state
        }
        if let underlying = error.underlying { return "\(error.code): \(underlying)" }
        return "\(error.code)"
    }

    private static func tlsConfiguration(_ mode: PostgresLocation.SSLMode) throws(StorageError)
        -> (connection: PostgresConnection.Configuration.TLS, client: PostgresClient.Configuration.TLS) {
        switch mode {
        case .disable:
            return (.disable, .disable)
        case .prefer, .require:
            let tls = TLSConfiguration.makeClientConfiguration()
            let context: NIOSSLContext
            do { context = try NIOSSLContext(configuration: tls) } catch { throw .invalid("TLS: \(error)") }
            return mode == .prefer ? (.prefer(context), .prefer(tls)) : (.require(context), .require(tls))
        }
    }
}

extension PostgresRow {
    /// Decodes a column by name, as a ``StorageError`` on a type mismatch.
    func value<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        try makeRandomAccess()[column].decode(T.self)
    }
}

extension PostgresDatabase {
    /// The value every replica must share for `name` (a key's fingerprint, say): stored by
    /// the first replica to ask, returned to every later one to compare with its own.
    public func sharedSetting(_ name: String, proposing value: String) async throws(StorageError) -> String {
        // Two statements: one statement's snapshot would not see a row another replica
        // committed while this insert waited on it (both starting at once).
        _ = try await rows("INSERT INTO meta (key, value) VALUES (\(name), \(value)) ON CONFLICT (key) DO NOTHING")
        let rows = try await rows("SELECT value FROM meta WHERE key = \(name)")
        guard let row = rows.first else { throw .database("meta has no \(name)") }
        do { return try row.value("value") } catch { throw Self.storageError(error) }
    }
}
