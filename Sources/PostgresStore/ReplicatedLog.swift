import Crypto
import Foundation
import Ledger
import Logging
import PostgresNIO
import ServiceLifecycle
import Storage
import Synchronization

/// The usage log shared by every replica, in PostgreSQL.
///
/// - Any replica appends: the entry is committed to `ledger_pending` before `append`
///   returns (or, while the database is unreachable, fdatasync'd to a local spool that
///   is delivered when it is back). Either way it is durable when acknowledged.
/// - One replica at a time is the **sequencer**: it holds a session advisory lock on a
///   connection of its own and, in one transaction on that connection, moves pending
///   entries into `ledger_entries` in a fixed order, signs a checkpoint over the new
///   tree (after checking it extends the last one), stores it and deletes what it
///   integrated. A transaction either does all of that or nothing, so an entry is never
///   lost, integrated twice, or reordered after signing. If the sequencer dies, its
///   connection closes, the lock is free, and another replica takes it within
///   ``standbyInterval`` and goes on from the last signed state.
/// - Every replica keeps the signed log in memory (a ``LogView``), synced from the
///   database and checked on the way (signature, and the root of that many entries), and
///   serves checkpoints, entries, tiles and proofs from it: all replicas serve the same.
///
/// The signing key comes from a file or the environment, never from the database; the
/// database holds the public verifier key, and a replica with another key is refused.
public final class ReplicatedLog: PublishedLog, Service, @unchecked Sendable {
    // @unchecked: `view` and the flags are guarded by `lock`.
    public let origin: String
    /// The signing key, on replicas that have it; one without it appends and serves but
    /// never becomes the sequencer.
    public let signer: NoteSigner?
    public let verifierKey: String
    let database: PostgresDatabase
    private let spool: EventSpool
    private let arranger: Mutex<Arrange>
    private let lock = NSLock()
    private var view = LogView()
    private var sequencing = false
    private var damaged: String?

    /// Orders a batch of pending entries for integration, may rewrite them, and may add the
    /// sequencer's own (the usage log's daily aggregates). Gets the entries in commit order
    /// and the time; each returned entry names the pending entry it comes from (nil for the
    /// sequencer's own).
    public typealias Arrange = @Sendable (_ pending: [[UInt8]], _ now: Date) -> [ArrangedEntry]

    public struct ArrangedEntry: Sendable {
        public var bytes: [UInt8]
        /// Index into the pending batch, or nil for an entry the sequencer adds.
        public var source: Int?

        public init(bytes: [UInt8], source: Int?) {
            self.bytes = bytes
            self.source = source
        }
    }

    /// The advisory lock key of the sequencer ("aqyl" + 2).
    static let sequencerLockKey: Int64 = 0x6171_796C_0000_0002
    /// How often the sequencer integrates; every integration with new entries signs one checkpoint.
    public static let integrationInterval: Duration = .seconds(1)
    /// How often a standby replica syncs its view and tries to become the sequencer.
    public static let standbyInterval: Duration = .milliseconds(500)
    /// Most pending entries integrated in one transaction.
    static let batchLimit = 5_000

    init(origin: String, verifierKey: String, signer: NoteSigner?, database: PostgresDatabase, spool: EventSpool,
         arrange: @escaping Arrange) {
        self.origin = origin
        self.verifierKey = verifierKey
        self.signer = signer
        self.database = database
        self.spool = spool
        self.arranger = Mutex(arrange)
    }

    /// Sets what orders and completes each batch the sequencer integrates (the usage
    /// recorder registers itself here once it exists).
    public func setArranger(_ arrange: @escaping Arrange) {
        arranger.withLock { $0 = arrange }
    }

    /// Keeps pending entries as they are, in commit order.
    /// Whether the database holds a log already (a replica without a key can then join it).
    public static func exists(in database: PostgresDatabase) async throws(StorageError) -> Bool {
        !(try await database.rows("SELECT 1 FROM ledger_meta WHERE key = 'verifier_key'")).isEmpty
    }

    public static let keepOrder: Arrange = { pending, _ in pending.enumerated().map { ArrangedEntry(bytes: $1, source: $0) } }

    /// Opens the shared log: names it (or checks its name and key), loads and checks the
    /// signed history.
    /// - Parameters:
    ///   - origin: the log's name, fixed for its lifetime: nil means the stored one, or for a
    ///     new log ``TransparencyLog/defaultOrigin()``; a different name is refused.
    ///   - key: the signing key; its public half must be the one the log was created with.
    ///     Nil (or, unless `keyRequired`, another key) makes a replica that appends and serves
    ///     but never sequences; a new log needs one.
    ///   - keyRequired: the key was named by the operator (`--log-key`): a wrong one is an error.
    ///   - spoolDirectory: where this replica keeps entries acknowledged while the database is down.
    public static func open(database: PostgresDatabase, origin requested: String?, key: Curve25519.Signing.PrivateKey?,
                            keyRequired: Bool = true, spoolDirectory: URL,
                            arrange: @escaping Arrange = keepOrder)
        async throws -> ReplicatedLog {
        let proposed = requested ?? TransparencyLog.defaultOrigin()
        if let key {
            let proposedKey = NoteSigner(name: proposed, key: key).verifierKey
            _ = try await database.rows("""
                INSERT INTO ledger_meta (key, value) VALUES ('origin', \(proposed)), ('verifier_key', \(proposedKey))
                ON CONFLICT (key) DO NOTHING
                """)
        }
        var stored: [String: String] = [:]
        for row in try await database.rows("SELECT key, value FROM ledger_meta") {
            stored[try row.value("key")] = try row.value("value")
        }
        guard let origin = stored["origin"], let verifierKey = stored["verifier_key"] else {
            throw LedgerError.inconsistent("the database holds no usage log yet, and this replica has no signing key to start one")
        }
        if let requested, requested != origin { throw LedgerError.inconsistent("this log's origin is '\(origin)', not '\(requested)'") }
        var signer = key.map { NoteSigner(name: origin, key: $0) }
        if let mine = signer, mine.verifierKey != verifierKey {
            let problem = """
                this replica's signing key is not the log's: the log's verifier key is \(verifierKey), this key's is \
                \(mine.verifierKey). Give every replica the same key (--log-key FILE or AQYL_LOG_SIGNING_KEY).
                """
            if keyRequired { throw LedgerError.inconsistent(problem) }
            database.logger.warning("ledger: \(problem) Until then this replica appends and serves, and never sequences.")
            signer = nil
        } else if signer == nil {
            database.logger.warning("""
                ledger: this replica has no signing key for the log: it appends and serves, and never sequences \
                (give it the log's key with --log-key FILE or AQYL_LOG_SIGNING_KEY to let it take over)
                """)
        }
        let log = ReplicatedLog(origin: origin, verifierKey: verifierKey, signer: signer, database: database,
                                spool: try EventSpool(directory: spoolDirectory), arrange: arrange)
        try await log.sync()
        return log
    }

    // MARK: - PublishedLog

    public var size: Int { lock.withLock { view.size } }

    /// The latest checkpoint the sequencer signed (after syncing with the database).
    public func checkpoint() async throws(LedgerError) -> String {
        do { try await sync() } catch {
            // The database is away: serve the last checkpoint this replica has.
        }
        guard let note = lock.withLock({ view.checkpoints.last?.note }) else {
            throw .io("no checkpoint has been signed yet")
        }
        return note
    }

    public var checkpointHistory: [String] { lock.withLock { view.checkpoints.map(\.note) } }

    public func entries(in range: Range<Int>) -> [[UInt8]] { lock.withLock { view.entries(in: range) } }

    public func tile(_ tile: Tile) -> [UInt8]? { lock.withLock { view.tile(tile) } }

    public func inclusionProof(index: Int, size: Int) -> [MerkleHash]? { lock.withLock { view.tree.inclusionProof(index: index, size: size) } }

    public func consistencyProof(old: Int, new: Int) -> [MerkleHash]? { lock.withLock { view.tree.consistencyProof(old: old, new: new) } }

    /// Whether this replica holds the sequencer's lock now.
    public var isSequencer: Bool { lock.withLock { sequencing } }

    /// Entries this replica acknowledged that still wait in its local spool.
    public var spooled: Int { spool.count }

    // MARK: - Appending

    /// Appends an entry durably: committed to PostgreSQL, or (database unreachable) to the
    /// local spool. Entries are at most 65,535 bytes (a tlog-tiles entry bundle's limit).
    public func append(_ entry: [UInt8]) async throws(LedgerError) {
        guard entry.count <= Tile.maxEntryBytes else { throw .io("an entry of \(entry.count) bytes is over the \(Tile.maxEntryBytes)-byte limit") }
        let uid = UUID()
        do {
            _ = try await database.rows("""
                INSERT INTO ledger_pending (uid, entry) VALUES (\(uid), \(ByteBuffer(bytes: entry))) ON CONFLICT (uid) DO NOTHING
                """)
        } catch {
            // Unreachable or failing: keep it locally (fsync'd) and deliver it later.
            try spool.append(uid: uid, entry: entry)
        }
    }

    /// Sends spooled entries to the database, if any wait.
    func deliverSpool() async {
        guard !spool.isEmpty else { return }
        do {
            let batch = try spool.takeBatch()
            guard !batch.isEmpty else { spool.delivered(); return }
            let uids = batch.map(\.uid), entries = batch.map { ByteBuffer(bytes: $0.entry) }
            _ = try await database.rows("""
                INSERT INTO ledger_pending (uid, entry) SELECT * FROM unnest(\(uids)::uuid[], \(entries)::bytea[])
                ON CONFLICT (uid) DO NOTHING
                """)
            spool.delivered()
            database.logger.info("ledger: delivered \(batch.count) spooled entries")
        } catch {
            // Still away: try again on the next round.
        }
    }

    // MARK: - Syncing

    /// Brings the view up to the latest checkpoint in the database, checking each new
    /// checkpoint's signature and that its root is the root of that many entries.
    func sync() async throws {
        let (known, lastSize) = lock.withLock { (view.size, view.checkpoints.last?.checkpoint.size ?? -1) }
        let notes = try await database.rows("SELECT size, note FROM ledger_checkpoints WHERE size > \(lastSize) ORDER BY size")
        guard let newest = notes.last else { return }
        let target: Int = try newest.value("size")
        let rows = try await database.rows("""
            SELECT idx, entry FROM ledger_entries WHERE idx >= \(known) AND idx < \(target) ORDER BY idx
            """)
        var entries: [[UInt8]] = []
        for (i, row) in rows.enumerated() {
            let idx: Int = try row.value("idx")
            guard idx == known + i else { throw LedgerError.inconsistent("ledger_entries has a gap at \(known + i)") }
            var buffer: ByteBuffer = try row.value("entry")
            entries.append(buffer.readBytes(length: buffer.readableBytes) ?? [])
        }
        let verifier = try NoteVerifier(verifierKey: verifierKey)
        var checkpoints: [(Checkpoint, String)] = []
        for row in notes {
            let note: String = try row.value("note")
            checkpoints.append((try Checkpoint(body: try verifier.verify(note: note)), note))
        }
        try apply(entries: entries, checkpoints: checkpoints, known: known, target: target)
    }

    /// Adds synced entries and checkpoints to the view, each checkpoint checked against it.
    private func apply(entries: [[UInt8]], checkpoints: [(Checkpoint, String)], known: Int, target: Int) throws {
        lock.lock()
        defer { lock.unlock() }
        // Another sync may have run meanwhile: take only what is still new.
        guard view.size == known else { return }
        guard known + entries.count == target else {
            throw LedgerError.inconsistent("checkpoint of size \(target) but only \(known + entries.count) entries in the database")
        }
        var next = view
        for e in entries { next.append(e) }
        for (checkpoint, note) in checkpoints where checkpoint.size > (next.checkpoints.last?.checkpoint.size ?? -1) {
            guard checkpoint.origin == origin, next.tree.root(size: checkpoint.size) == checkpoint.root else {
                let problem = "checkpoint of size \(checkpoint.size) does not match the database's entries"
                damaged = problem
                throw LedgerError.inconsistent(problem)
            }
            next.appendCheckpoint(checkpoint, note: note)
        }
        view = next
    }

    // MARK: - Sequencing

    /// Until cancelled: sync, deliver the spool, and take the sequencer's role when it is free.
    public func run() async throws {
        var failing = false
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await database.client.withConnection { connection in
                    try await self.sequence(on: connection)
                }
                if failing { database.logger.info("ledger: the database is reachable again") }
                failing = false
            } catch {
                lock.withLock { sequencing = false }
                // Said once per outage, not every round.
                if !(error is CancellationError) && !failing {
                    database.logger.warning("ledger: cannot reach the database (\(PostgresDatabase.describe(error))); retrying")
                    failing = true
                }
            }
            try? await Task.sleep(for: Self.standbyInterval)
        }
    }

    /// One stay on a leased connection: as a standby, a sync and a try for the lock; as the
    /// sequencer, integration rounds until shutdown, then the lock is given back.
    private func sequence(on connection: PostgresConnection) async throws {
        let logger = database.logger
        try? await sync()
        await deliverSpool()
        // Without the key this replica cannot sign: it never takes the sequencer's lock.
        guard signer != nil else { return }
        // Every statement on the leased connection is bounded: when the pool closes under it
        // (the database service stopping), a query on it may never answer (seen in tests as a
        // sequencer that never returned).
        let got = try await PostgresDatabase.bounded(PostgresDatabase.statementTimeout) {
            var got = false
            for try await value in try await connection.query("SELECT pg_try_advisory_lock(\(Self.sequencerLockKey))", logger: logger)
                .decode(Bool.self) { got = value }
            return got
        }
        guard got else { return }
        lock.withLock { sequencing = true }
        logger.info("ledger: this replica is the sequencer")
        defer { lock.withLock { sequencing = false } }
        do {
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                if lock.withLock({ damaged }) != nil { break }
                try await integrateBounded(on: connection)
                await deliverSpool()
                try? await Task.sleep(for: Self.integrationInterval)
            }
            // A last round on a graceful shutdown, so entries acknowledged meanwhile are signed
            // now (a cancelled task stops at once; the next sequencer signs them).
            if !Task.isCancelled { try await integrateBounded(on: connection) }
        } catch {
            // The session may be stuck mid-transaction: close it (without waiting on a
            // connection that may not answer), which also frees the lock.
            lock.withLock { sequencing = false }
            let _: EventLoopFuture<Void> = connection.close()
            throw error
        }
        // Give the lock back so a standby takes over at once. When the pool is closing this
        // connection the query may never answer: after a short wait, close the session
        // instead (which frees the lock too, once the server sees it go).
        do {
            _ = try await PostgresDatabase.bounded(Self.unlockTimeout) {
                try await connection.query("SELECT pg_advisory_unlock(\(Self.sequencerLockKey))", logger: logger)
            }
        } catch {
            let _: EventLoopFuture<Void> = connection.close()
        }
    }

    /// Longest the sequencer waits to give its lock back before leaving it to the session's end.
    static let unlockTimeout: Duration = .seconds(2)

    /// Longest one integration round may take before the sequencer gives up its session.
    static let roundTimeout: Duration = .seconds(10)

    private func integrateBounded(on connection: PostgresConnection) async throws {
        try await PostgresDatabase.bounded(Self.roundTimeout) { try await self.integrate(on: connection) }
    }

    /// One integration transaction (see the type's description).
    func integrate(on connection: PostgresConnection) async throws {
        let logger = database.logger
        try await sync()
        try await connection.query("BEGIN", logger: logger)
        do {
            var ids: [Int64] = [], uids: [UUID] = [], pending: [[UInt8]] = []
            for try await (id, uid, entry) in try await connection.query("""
                SELECT id, uid, entry FROM ledger_pending ORDER BY id LIMIT \(Self.batchLimit) FOR UPDATE
                """, logger: logger).decode((Int64, UUID, ByteBuffer).self) {
                ids.append(id)
                uids.append(uid)
                var buffer = entry
                pending.append(buffer.readBytes(length: buffer.readableBytes) ?? [])
            }
            // A uid already integrated (a spooled entry delivered twice) is dropped, not counted again.
            var seen = Set<UUID>()
            if !uids.isEmpty {
                for try await uid in try await connection.query("""
                    SELECT uid FROM ledger_entries WHERE uid = ANY(\(uids))
                    """, logger: logger).decode(UUID.self) { seen.insert(uid) }
            }
            let fresh = zip(uids, pending).filter { !seen.contains($0.0) }
            // The sequencer's own entries (aggregates) carry no uid.
            let arrange = arranger.withLock { $0 }
            let arranged = arrange(fresh.map(\.1), Date())
            guard !arranged.isEmpty || !ids.isEmpty else {
                try await connection.query("COMMIT", logger: logger)
                return
            }
            let (start, last) = lock.withLock { (view.size, view.checkpoints.last?.checkpoint) }
            var tree = lock.withLock { view.tree }
            var indices: [Int64] = [], entryUIDs: [String] = [], buffers: [ByteBuffer] = []
            var used = Set<Int>()
            for (i, e) in arranged.enumerated() {
                indices.append(Int64(start + i))
                // Each pending entry's uid goes with what became of it (rewritten or not), once.
                if let source = e.source, fresh.indices.contains(source), used.insert(source).inserted {
                    entryUIDs.append(fresh[source].0.uuidString)
                } else {
                    entryUIDs.append("")
                }
                buffers.append(ByteBuffer(bytes: e.bytes))
                tree.append(leaf: e.bytes)
            }
            if !arranged.isEmpty {
                try await connection.query("""
                    INSERT INTO ledger_entries (idx, uid, entry)
                    SELECT i, NULLIF(u, '')::uuid, e FROM unnest(\(indices)::int8[], \(entryUIDs)::text[], \(buffers)::bytea[]) AS t(i, u, e)
                    """, logger: logger)
            }
            var signed: (Checkpoint, String)?
            if tree.size > (last?.size ?? -1) {
                let next = Checkpoint(origin: origin, size: tree.size, root: tree.root())
                if let last {
                    let proof = tree.consistencyProof(old: last.size, new: next.size) ?? []
                    guard MerkleProof.verifyConsistency(oldSize: last.size, newSize: next.size, oldRoot: last.root,
                                                        newRoot: next.root, proof: proof)
                    else { throw LedgerError.inconsistent("refusing to sign size \(next.size): not an extension of size \(last.size)") }
                }
                guard let signer else { throw LedgerError.io("this replica has no signing key") }
                let note = try signer.sign(next.body)
                try await connection.query("INSERT INTO ledger_checkpoints (size, note) VALUES (\(next.size), \(note))", logger: logger)
                signed = (next, note)
            }
            if !ids.isEmpty {
                try await connection.query("DELETE FROM ledger_pending WHERE id = ANY(\(ids))", logger: logger)
            }
            try await connection.query("COMMIT", logger: logger)
            lock.withLock {
                guard view.size == start else { return }
                for e in arranged { view.append(e.bytes) }
                if let (checkpoint, note) = signed { view.appendCheckpoint(checkpoint, note: note) }
            }
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }
}
