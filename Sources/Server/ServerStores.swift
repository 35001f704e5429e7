import Crypto
import Foundation
import Ledger
import PostgresStore
import ServiceLifecycle
import Storage
import Synchronization
import UsageStats

/// The stores a server runs on, opened from `--database`: the embedded SQLite file with
/// a local usage log, or PostgreSQL shared by replicas with the replicated log. The
/// server sees only the repository protocols and ``UsageRecorder``.
struct ServerStores: Sendable {
    let conversations: any ConversationRepository
    let keys: any APIKeyRepository
    let limits: any RateLimitStore
    let usage: UsageRecorder
    /// Run with the application (a database pool, the log's sequencer), shut down after the HTTP server.
    let services: [any Service]
    /// Closes what must be closed after the services stopped.
    let close: @Sendable () async -> Void

    static func open(_ configuration: ServerConfiguration, report: @escaping @Sendable (String) -> Void) async throws -> ServerStores {
        let data = configuration.dataDirectory
        let ledgerDirectory = data.appendingPathComponent("ledger")
        switch configuration.database {
        case let .sqlite(path):
            let store = try DataStore(directory: data, path: path)
            let usage = try UsageRecorder(directory: ledgerDirectory, origin: configuration.statsOrigin, report: report)
            return ServerStores(conversations: ConversationStore(store), keys: APIKeyStore(store), limits: RateLimiter(),
                                usage: usage, services: [], close: { try? store.database.close() })
        case let .postgres(location):
            let database = try await PostgresDatabase.open(location)
            // Running from here on; the application's service group stops it after the server.
            database.start()
            // Replicas must share their secrets: a cookie one signs, another must accept; a
            // person must get one pseudonym whichever replica served them.
            let pseudonymKey = try SecretKeyFile.load("pseudonym.key", in: ledgerDirectory)
            let identityKey = try SecretKeyFile.load(WebIdentity.keyFileName, in: data)
            try await database.withRunning {
                try await requireShared(database, "pseudonym-key", pseudonymKey, file: ledgerDirectory.appendingPathComponent("pseudonym.key"))
                try await requireShared(database, "web-identity-key", identityKey, file: data.appendingPathComponent(WebIdentity.keyFileName))
            }
            let rawKey = try LogSigningKey.load(file: configuration.logKeyFile, directory: ledgerDirectory).rawRepresentation
            let log = try await database.withRunning {
                try await ReplicatedLog.open(database: database, origin: configuration.statsOrigin,
                                             key: try Curve25519.Signing.PrivateKey(rawRepresentation: rawKey),
                                             spoolDirectory: data.appendingPathComponent("ledger-spool"))
            }
            let usage = try UsageRecorder(backend: .shared(log), pseudonyms: Pseudonymizer(keyBytes: pseudonymKey), report: report)
            // Limits on a pool of their own whose commits skip the WAL flush: a bucket update lost
            // in a database crash lets a few requests more through, and each request saves a flush.
            let limitsDatabase = try await PostgresDatabase.open(location, maximumConnections: 10, durableCommits: false)
            limitsDatabase.start()
            return ServerStores(conversations: PostgresConversationStore(database), keys: PostgresAPIKeyStore(database),
                                limits: PostgresRateLimitStore(limitsDatabase), usage: usage,
                                services: [database, limitsDatabase, log], close: {})
        }
    }

    /// Refuses to start when this replica's copy of a shared secret is not the one the
    /// other replicas use (compared by fingerprint; the secret never leaves the machine).
    private static func requireShared(_ database: PostgresDatabase, _ name: String, _ key: [UInt8], file: URL) async throws {
        let mine = KeyFingerprint.of(key)
        let shared = try await database.sharedSetting(name + "-fingerprint", proposing: mine)
        guard shared == mine else {
            throw StorageError.invalid("""
                \(file.path) is not the \(name) the other replicas use (fingerprint \(mine), expected \(shared)). \
                Copy that file from a running replica's data directory.
                """)
        }
    }
}

/// A short public name for a secret: the first 8 bytes of HMAC-SHA-256 under it.
enum KeyFingerprint {
    static func of(_ key: [UInt8]) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("aqyl key fingerprint".utf8), using: SymmetricKey(data: key))
        return Data(mac).prefix(8).map { String(format: "%02x", $0) }.joined()
    }
}

/// The usage log's Ed25519 signing key for replicas: never a database row.
enum LogSigningKey {
    /// `AQYL_LOG_SIGNING_KEY`: the 32-byte private key in base64.
    static let environmentVariable = "AQYL_LOG_SIGNING_KEY"

    /// From `--log-key FILE`, else the environment, else `signing.key` in the ledger
    /// directory (created on first use).
    static func load(file: String?, directory: URL) throws -> Curve25519.Signing.PrivateKey {
        if let file { return try TransparencyLog.loadOrCreateKey(URL(fileURLWithPath: file), create: false) }
        if let text = ProcessInfo.processInfo.environment[environmentVariable], !text.isEmpty {
            guard let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)),
                  let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: data) else {
                throw LedgerError.malformedKey("\(environmentVariable) must be a 32-byte Ed25519 private key in base64")
            }
            return key
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return try TransparencyLog.loadOrCreateKey(directory.appendingPathComponent("signing.key"))
    }
}
