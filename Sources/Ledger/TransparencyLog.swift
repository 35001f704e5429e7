import FileContents
import Crypto
import Foundation

/// The tamper-evident log behind the usage statistics: durable entries, their
/// RFC 9162 Merkle tree, and a history of signed checkpoints.
///
/// Files in `directory`:
/// - `entries.log`: the entries, as a ``RecordLog``;
/// - `checkpoints.log`: every checkpoint ever signed, as signed notes;
/// - `signing.key`: the Ed25519 private key (created on first start, mode 0600);
/// - `origin`: the log's name (its checkpoints' first line and the key's name).
///
/// The log never signs two inconsistent checkpoints: a new checkpoint is
/// signed only after checking a consistency proof from the last stored one,
/// and at start the stored checkpoints must match the entries on disk, or the
/// log refuses to open (entries lost or altered since they were signed).
public final class TransparencyLog: PublishedLog, @unchecked Sendable {
    // @unchecked: mutable state is guarded by `lock`.
    public let directory: URL
    public let origin: String
    public let signer: NoteSigner
    private let entriesLog: RecordLog
    private let checkpointsLog: RecordLog
    private let lock = NSLock()
    private var view = LogView()

    /// - Parameters:
    ///   - origin: the log's name. A log keeps the name it was created with: nil means "the
    ///     stored one", or for a new log ``defaultOrigin()``; a different name for an existing
    ///     log is refused.
    ///   - report: told about recoveries (a truncated torn tail).
    public init(directory: URL, origin requested: String?, report: (String) -> Void = { _ in }) throws(LedgerError) {
        self.directory = directory
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw .io("cannot create \(directory.path): \(error.localizedDescription)")
        }
        // The origin names the log and its key for the log's whole life: keep the first one.
        let originFile = directory.appendingPathComponent("origin")
        if let stored = try? String(contentsOf: originFile, encoding: .utf8), !stored.isEmpty {
            if let requested, requested != stored { throw .inconsistent("this log's origin is '\(stored)', not '\(requested)'") }
            origin = stored
        } else {
            origin = requested ?? Self.defaultOrigin()
            do { try origin.write(to: originFile, atomically: true, encoding: .utf8) } catch {
                throw .io("cannot write \(originFile.path): \(error.localizedDescription)")
            }
        }
        signer = NoteSigner(name: origin, key: try Self.loadOrCreateKey(directory.appendingPathComponent("signing.key")))
        let opened = try RecordLog.open(path: directory.appendingPathComponent("entries.log").path)
        if opened.truncatedBytes > 0 {
            report("ledger: cut a torn tail of \(opened.truncatedBytes) bytes from entries.log (a partial record from a crash); \(opened.records.count) entries kept")
        }
        entriesLog = opened.log
        for e in opened.records { view.append(e) }
        let stored = try RecordLog.open(path: directory.appendingPathComponent("checkpoints.log").path)
        if stored.truncatedBytes > 0 { report("ledger: cut a torn tail of \(stored.truncatedBytes) bytes from checkpoints.log") }
        checkpointsLog = stored.log
        let verifier = try NoteVerifier(verifierKey: signer.verifierKey)
        for record in stored.records {
            let note = String(decoding: record, as: UTF8.self)
            let checkpoint = try Checkpoint(body: try verifier.verify(note: note))
            guard checkpoint.size <= view.size, view.tree.root(size: checkpoint.size) == checkpoint.root else {
                throw .inconsistent("checkpoint of size \(checkpoint.size) does not match the \(view.size) entries on disk")
            }
            view.appendCheckpoint(checkpoint, note: note)
        }
    }

    /// A name no other install shares: this host's name and 32 random bits
    /// (`kz-node-1/aqyl-stats/3f9a12c4`). Name the log after its public URL instead
    /// (`aqyl serve --public-url`) when there is one.
    public static func defaultOrigin() -> String {
        let host = ProcessInfo.processInfo.hostName.lowercased().unicodeScalars
            .filter { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "." || $0 == "-" }
        let name = host.isEmpty ? "localhost" : String(String.UnicodeScalarView(host.prefix(64)))
        let suffix = (0..<4).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        return "\(name)/aqyl-stats/\(suffix)"
    }

    /// The origin for a log published at `url`: host, port and path, no scheme (`stats.aqyl.kz/stats`).
    public static func origin(publicURL url: String) -> String? {
        guard let components = URLComponents(string: url), let scheme = components.scheme, ["http", "https"].contains(scheme),
              let host = components.host, !host.isEmpty else { return nil }
        var path = components.path
        while path.hasSuffix("/") { path.removeLast() }
        return host.lowercased() + (components.port.map { ":\($0)" } ?? "") + path + "/stats"
    }

    /// An Ed25519 private key file (32 raw bytes), created with mode 0600 when missing: the
    /// log's signing key, and a witness's.
    /// With `create: false` a missing file is an error (a key named on the command line).
    public static func loadOrCreateKey(_ url: URL, create: Bool = true) throws(LedgerError) -> Curve25519.Signing.PrivateKey {
        if let data = FileContents.readIfPresent(url.path) {
            guard let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: data) else {
                throw .io("\(url.path) is not a 32-byte Ed25519 private key")
            }
            return key
        }
        guard create else { throw .io("cannot read the signing key \(url.path)") }
        let key = Curve25519.Signing.PrivateKey()
        let created = FileManager.default.createFile(atPath: url.path, contents: key.rawRepresentation,
                                                     attributes: [.posixPermissions: 0o600])
        guard created else { throw .io("cannot write the signing key to \(url.path)") }
        return key
    }

    public var size: Int { lock.withLock { view.size } }

    public var verifierKey: String { signer.verifierKey }

    /// Appends an entry durably; returns its index. Entries are at most 65,535 bytes, so
    /// that every entry fits a tlog-tiles entry bundle (a 2-byte length each).
    @discardableResult
    public func append(_ entry: [UInt8]) throws(LedgerError) -> Int {
        guard entry.count <= Tile.maxEntryBytes else { throw .io("an entry of \(entry.count) bytes is over the \(Tile.maxEntryBytes)-byte limit") }
        lock.lock()
        defer { lock.unlock() }
        let index = try entriesLog.append(entry)
        view.append(entry)
        return index
    }

    /// Appends many entries with one durable write (bulk import, benchmarks).
    public func append(contentsOf batch: [[UInt8]]) throws(LedgerError) {
        if let big = batch.first(where: { $0.count > Tile.maxEntryBytes }) {
            throw .io("an entry of \(big.count) bytes is over the \(Tile.maxEntryBytes)-byte limit")
        }
        lock.lock()
        defer { lock.unlock() }
        try entriesLog.append(contentsOf: batch)
        for e in batch { view.append(e) }
    }

    public func tile(_ tile: Tile) -> [UInt8]? { lock.withLock { view.tile(tile) } }

    public func entries(in range: Range<Int>) -> [[UInt8]] { lock.withLock { view.entries(in: range) } }

    /// The latest checkpoint, signing a new one first when entries were added since.
    public func checkpoint() throws(LedgerError) -> String {
        lock.lock()
        defer { lock.unlock() }
        if let last = view.checkpoints.last, last.checkpoint.size == view.size { return last.note }
        let next = Checkpoint(origin: origin, size: view.size, root: view.tree.root())
        if let last = view.checkpoints.last?.checkpoint {
            let proof = view.tree.consistencyProof(old: last.size, new: next.size) ?? []
            guard MerkleProof.verifyConsistency(oldSize: last.size, newSize: next.size, oldRoot: last.root,
                                                newRoot: next.root, proof: proof)
            else { throw .inconsistent("refusing to sign size \(next.size): not an extension of size \(last.size)") }
        }
        let note: String
        do { note = try signer.sign(next.body) } catch { throw .io("signing failed: \(error)") }
        try checkpointsLog.append(Array(note.utf8))
        view.appendCheckpoint(next, note: note)
        return note
    }

    /// Every signed checkpoint, oldest first.
    public var checkpointHistory: [String] { lock.withLock { view.checkpoints.map(\.note) } }

    public func inclusionProof(index: Int, size: Int) -> [MerkleHash]? {
        lock.withLock { view.tree.inclusionProof(index: index, size: size) }
    }

    public func consistencyProof(old: Int, new: Int) -> [MerkleHash]? {
        lock.withLock { view.tree.consistencyProof(old: old, new: new) }
    }
}
