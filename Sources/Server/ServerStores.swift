import FileContents
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
    /// The web-identity signing secret replicas share (nil: the file in `--data`).
    let webIdentityKey: [UInt8]?
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
                                usage: usage, webIdentityKey: nil, services: [], close: { try? store.database.close() })
        case let .postgres(location):
            let database = try await PostgresDatabase.open(location)
            // Running from here on; the application's service group stops it after the server.
            database.start()
            // Replicas share their secrets: a cookie one signs, another must accept; a person
            // must get one pseudonym whichever replica served them. The first replica's become
            // everyone's (kept in the database; see docs/operations.md).
            let (pseudonymKey, identityKey) = try await database.withRunning {
                (try await sharedSecret(database, "pseudonym-key", file: ledgerDirectory.appendingPathComponent("pseudonym.key")),
                 try await sharedSecret(database, "web-identity-key", file: data.appendingPathComponent(WebIdentity.keyFileName)))
            }
            // The signing key never goes into the database: named (--log-key, the environment),
            // else this replica's own file. A replica without it joins an existing log without sequencing.
            let explicit = try LogSigningKey.explicit(file: configuration.logKeyFile)
            let logExists = try await database.withRunning { try await ReplicatedLog.exists(in: database) }
            let key = try explicit ?? LogSigningKey.local(directory: ledgerDirectory, create: !logExists)
            let rawKey = key?.rawRepresentation
            let log = try await database.withRunning {
                try await ReplicatedLog.open(database: database, origin: configuration.statsOrigin,
                                             key: try rawKey.map { try Curve25519.Signing.PrivateKey(rawRepresentation: $0) },
                                             keyRequired: explicit != nil,
                                             spoolDirectory: data.appendingPathComponent("ledger-spool"))
            }
            let usage = try UsageRecorder(backend: .shared(log), pseudonyms: Pseudonymizer(keyBytes: pseudonymKey), report: report)
            // Limits on a pool of their own whose commits skip the WAL flush: a bucket update lost
            // in a database crash lets a few requests more through, and each request saves a flush.
            let limitsDatabase = try await PostgresDatabase.open(location, maximumConnections: 10, durableCommits: false)
            limitsDatabase.start()
            return ServerStores(conversations: PostgresConversationStore(database), keys: PostgresAPIKeyStore(database),
                                limits: PostgresRateLimitStore(limitsDatabase), usage: usage, webIdentityKey: identityKey,
                                services: [database, limitsDatabase, log], close: {})
        }
    }

    /// A secret every replica must share: this replica's file if it has one, else the
    /// value the replicas already agreed on, else a new one, which then becomes everyone's.
    /// A file that differs from the agreed value is refused (it would split the counting or
    /// the cookies), saying which file.
    private static func sharedSecret(_ database: PostgresDatabase, _ name: String, file: URL) async throws -> [UInt8] {
        let local = FileContents.readIfPresent(file.path).flatMap { $0.count == 32 ? Array($0) : nil }
        let proposed = local ?? SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
        let agreed = try await database.sharedSetting(name, proposing: proposed.map { String(format: "%02x", $0) }.joined())
        guard let bytes = hexBytes(agreed), bytes.count == 32 else { throw StorageError.database("meta holds a malformed \(name)") }
        if let local, local != bytes {
            throw StorageError.invalid("""
                \(file.path) is not the \(name) the other replicas use (fingerprint \(KeyFingerprint.of(local)), expected \
                \(KeyFingerprint.of(bytes))). Remove it to adopt the shared one, or give every replica the same file.
                """)
        }
        return bytes
    }

    private static func hexBytes(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2, limitedBy: text.endIndex) ?? text.endIndex
            guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
            out.append(byte)
            index = next
        }
        return out
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

    /// From `--log-key FILE`, else the environment; nil when neither names one.
    static func explicit(file: String?) throws -> Curve25519.Signing.PrivateKey? {
        if let file { return try TransparencyLog.loadOrCreateKey(URL(fileURLWithPath: file), create: false) }
        if let text = ProcessInfo.processInfo.environment[environmentVariable], !text.isEmpty {
            guard let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)),
                  let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: data) else {
                throw LedgerError.malformedKey("\(environmentVariable) must be a 32-byte Ed25519 private key in base64")
            }
            return key
        }
        return nil
    }

    /// `signing.key` in the ledger directory: created when `create` (a new log), else only read.
    static func local(directory: URL, create: Bool) throws -> Curve25519.Signing.PrivateKey? {
        let file = directory.appendingPathComponent("signing.key")
        if create {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            return try TransparencyLog.loadOrCreateKey(file)
        }
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        return try TransparencyLog.loadOrCreateKey(file, create: false)
    }
}
