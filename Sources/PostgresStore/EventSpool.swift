import Foundation
import Ledger
import Synchronization

/// Entries a replica acknowledged while PostgreSQL was unreachable, kept in a local
/// ``RecordLog`` (fdatasync'd before the request is answered) until the database is
/// back. Each record is the entry's 16-byte uid followed by the entry, so delivering a
/// record twice (a crash between the database's commit and removing the file) is a
/// no-op: the uid is unique in the database.
///
/// Delivery rotates the file first (`spool.log` → `spool.sending.log`), so appends go on
/// meanwhile and nothing appended during a delivery is removed with it.
final class EventSpool: Sendable {
    private let log: Mutex<RecordLog>
    let directory: URL
    private var activePath: String { directory.appendingPathComponent("spool.log").path }
    private var sendingPath: String { directory.appendingPathComponent("spool.sending.log").path }

    init(directory: URL) throws(LedgerError) {
        self.directory = directory
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw .io("cannot create \(directory.path): \(error.localizedDescription)")
        }
        log = Mutex(try RecordLog.open(path: directory.appendingPathComponent("spool.log").path).log)
    }

    /// Records waiting (in the active file; a rotated file not yet delivered adds to it).
    var count: Int { log.withLock { $0.count } }

    var isEmpty: Bool { count == 0 && !FileManager.default.fileExists(atPath: sendingPath) }

    func append(uid: UUID, entry: [UInt8]) throws(LedgerError) {
        let record = Self.bytes(uid) + entry
        // Under the lock: a rotation never happens between choosing the file and writing it.
        var failure: LedgerError?
        log.withLock { current in
            do { _ = try current.append(record) } catch { failure = error as? LedgerError ?? .io("\(error)") }
        }
        if let failure { throw failure }
    }

    /// The records to deliver: a file left from an earlier delivery, else the active
    /// file, rotated. Call ``delivered()`` after they are committed.
    func takeBatch() throws(LedgerError) -> [(uid: UUID, entry: [UInt8])] {
        let fm = FileManager.default
        if !fm.fileExists(atPath: sendingPath), count > 0 {
            let problem: String? = log.withLock { current in
                guard rename(activePath, sendingPath) == 0 else { return "cannot rotate \(activePath): \(String(cString: strerror(errno)))" }
                guard let fresh = try? RecordLog.open(path: activePath).log else { return "cannot reopen \(activePath)" }
                current = fresh
                return nil
            }
            if let problem { throw .io(problem) }
        }
        guard fm.fileExists(atPath: sendingPath) else { return [] }
        return try RecordLog.read(path: sendingPath).records.compactMap { record in
            guard record.count >= 16 else { return nil }
            let uid = record.prefix(16).withUnsafeBytes { UUID(uuid: $0.loadUnaligned(as: uuid_t.self)) }
            return (uid, Array(record.dropFirst(16)))
        }
    }

    /// The batch from ``takeBatch()`` is committed: forget it.
    func delivered() {
        try? FileManager.default.removeItem(atPath: sendingPath)
    }

    static func bytes(_ uid: UUID) -> [UInt8] {
        withUnsafeBytes(of: uid.uuid) { Array($0) }
    }
}
