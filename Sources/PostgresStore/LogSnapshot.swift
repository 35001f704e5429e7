import Foundation
import Ledger
import NIOCore
import PostgresNIO
import Storage

/// The shared usage log as stored in PostgreSQL, read only: what `aqyl stats verify
/// --database` checks, and what `aqyl data migrate` copies into.
public struct LogSnapshot: Sendable {
    public var origin: String
    public var verifierKey: String
    /// Every signed checkpoint, oldest first.
    public var checkpoints: [String]
    /// The entries the newest checkpoint covers.
    public var entries: [[UInt8]]

    /// Reads the log (SELECTs only: a verifier never changes what it checks).
    public static func read(_ database: PostgresDatabase) async throws(StorageError) -> LogSnapshot {
        var meta: [String: String] = [:]
        for row in try await database.rows("SELECT key, value FROM ledger_meta") {
            do { meta[try row.value("key")] = try row.value("value") } catch { throw PostgresDatabase.storageError(error) }
        }
        guard let origin = meta["origin"], let key = meta["verifier_key"] else {
            throw .notFound("a usage log in this database (no replica has opened one yet)")
        }
        var checkpoints: [String] = []
        var size = 0
        for row in try await database.rows("SELECT size, note FROM ledger_checkpoints ORDER BY size") {
            do {
                checkpoints.append(try row.value("note"))
                size = try row.value("size")
            } catch { throw PostgresDatabase.storageError(error) }
        }
        var entries: [[UInt8]] = []
        entries.reserveCapacity(size)
        for row in try await database.rows("SELECT entry FROM ledger_entries WHERE idx < \(size) ORDER BY idx") {
            do {
                var buffer: ByteBuffer = try row.value("entry")
                entries.append(buffer.readBytes(length: buffer.readableBytes) ?? [])
            } catch { throw PostgresDatabase.storageError(error) }
        }
        return LogSnapshot(origin: origin, verifierKey: key, checkpoints: checkpoints, entries: entries)
    }
}
