/// A log's contents in memory: its entries, their Merkle tree, and the checkpoints
/// signed over them. What every reader of a log serves from (tiles, entries, proofs),
/// whether the log is a local file (``TransparencyLog``) or a replica's copy of a
/// shared one. Not synchronized: its owner guards it.
public struct LogView: Sendable {
    public private(set) var tree = MerkleTree()
    public private(set) var entries: [[UInt8]] = []
    public private(set) var checkpoints: [(checkpoint: Checkpoint, note: String)] = []

    public init() {}

    public var size: Int { tree.size }

    public mutating func append(_ entry: [UInt8]) {
        tree.append(leaf: entry)
        entries.append(entry)
    }

    /// Adds a checkpoint that was verified against this view's entries.
    public mutating func appendCheckpoint(_ checkpoint: Checkpoint, note: String) {
        checkpoints.append((checkpoint, note))
    }

    /// A C2SP tlog-tiles resource (a hash tile, or an entry bundle with each entry after
    /// its 2-byte big-endian length), or nil when the view does not hold it yet.
    public func tile(_ tile: Tile) -> [UInt8]? {
        let first = tile.index * Tile.width
        let range = first..<(first + tile.width)
        switch tile.kind {
        case let .hashes(level):
            return tree.subtreeHashes(level: level * Tile.height, range: range)?.flatMap { $0 }
        case .entries:
            guard range.upperBound <= entries.count else { return nil }
            var out: [UInt8] = []
            for e in entries[range] {
                out.append(UInt8(e.count >> 8))
                out.append(UInt8(e.count & 0xff))
                out += e
            }
            return out
        }
    }

    public func entries(in range: Range<Int>) -> [[UInt8]] {
        Array(entries[range.clamped(to: 0..<entries.count)])
    }
}

/// What the server publishes of a usage log, wherever it is stored: a local file, or
/// PostgreSQL shared by replicas. Reads come from the replica's in-memory view.
public protocol PublishedLog: AnyObject, Sendable {
    /// The log's name: its checkpoints' first line, and the signing key's name.
    var origin: String { get }
    /// The key verifiers pin (`<name>+<id>+<base64 key>`).
    var verifierKey: String { get }
    /// Entries in this replica's view.
    var size: Int { get }
    /// The latest signed checkpoint. A local log signs one first when entries were added
    /// since; a shared log returns the latest one its sequencer signed.
    func checkpoint() async throws(LedgerError) -> String
    /// Every signed checkpoint, oldest first.
    var checkpointHistory: [String] { get }
    func entries(in range: Range<Int>) -> [[UInt8]]
    func tile(_ tile: Tile) -> [UInt8]?
    func inclusionProof(index: Int, size: Int) -> [MerkleHash]?
    func consistencyProof(old: Int, new: Int) -> [MerkleHash]?
}
