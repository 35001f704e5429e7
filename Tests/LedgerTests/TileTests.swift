import Foundation
import Testing
@testable import Ledger

/// C2SP tlog-tiles: paths, hash tiles and entry bundles.
@Suite struct TileTests {
    @Test(arguments: [(0, "000"), (7, "007"), (999, "999"), (1000, "x001/000"), (1_234_067, "x001/x234/067")])
    func indexPaths(n: Int, path: String) {
        #expect(Tile.indexPath(n) == path)
        let components = ("0/" + path).split(separator: "/")
        #expect(Tile(components: components) == Tile(kind: .hashes(level: 0), index: n))
    }

    @Test func pathsRoundTrip() {
        for tile in [Tile(kind: .hashes(level: 0), index: 1_234_067, width: 8), Tile(kind: .entries, index: 3),
                     Tile(kind: .entries, index: 1000, width: 255), Tile(kind: .hashes(level: 2), index: 0, width: 1)] {
            let components = tile.path.split(separator: "/").dropFirst()
            #expect(Tile(components: Array(components)) == tile, "\(tile.path)")
        }
        #expect(Tile(kind: .entries, index: 1_234_067, width: 8).path == "tile/entries/x001/x234/067.p/8")
    }

    /// One spelling per tile; nothing that could overflow or mean two things.
    @Test(arguments: ["0/x000/001", "0/1", "0/0001", "0/x1/000", "8/000", "-1/000", "00/000", "0/000.p/0", "0/000.p/256",
                      "0/000.p/08", "0/000.p", "entries", "0/abc", "0/x999/x999/x999/x999/x999/999", "0/000/000", "x/000", "0/+12"])
    func nonCanonicalPathsAreRefused(path: String) {
        #expect(Tile(components: path.split(separator: "/")) == nil, "\(path)")
    }

    @Test func tilesHoldTheTreesHashesAndTheEntries() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-tiles-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = try TransparencyLog(directory: dir, origin: "test/stats")
        let entries = (0..<600).map { Array("entry \($0)".utf8) }
        try log.append(contentsOf: entries)
        var tree = MerkleTree()
        for e in entries { tree.append(leaf: e) }

        let leaves = try #require(log.tile(Tile(kind: .hashes(level: 0), index: 1)))
        #expect(leaves.count == 256 * 32)
        #expect(Array(leaves[0..<32]) == MerkleHashing.leaf(entries[256]))
        let partial = try #require(log.tile(Tile(kind: .hashes(level: 0), index: 2, width: 88)))
        #expect(Array(partial.suffix(32)) == MerkleHashing.leaf(entries[599]))
        #expect(log.tile(Tile(kind: .hashes(level: 0), index: 2, width: 89)) == nil)
        #expect(log.tile(Tile(kind: .hashes(level: 0), index: 2)) == nil)
        // Level 1: the roots of the two complete 256-leaf subtrees.
        let upper = try #require(log.tile(Tile(kind: .hashes(level: 1), index: 0, width: 2)))
        #expect(Array(upper[0..<32]) == tree.root(size: 256))
        #expect(log.tile(Tile(kind: .hashes(level: 1), index: 0, width: 3)) == nil)

        let bundle = try #require(log.tile(Tile(kind: .entries, index: 2, width: 88)))
        var rest = bundle[...]
        var decoded: [[UInt8]] = []
        while rest.count >= 2 {
            let length = Int(rest[rest.startIndex]) << 8 | Int(rest[rest.startIndex + 1])
            decoded.append(Array(rest.dropFirst(2).prefix(length)))
            rest = rest.dropFirst(2 + length)
        }
        #expect(decoded == Array(entries[512..<600]))
    }

    @Test func anEntryTooBigForABundleIsRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-tiles-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = try TransparencyLog(directory: dir, origin: "test/stats")
        #expect(throws: LedgerError.self) { try log.append([UInt8](repeating: 1, count: 65_536)) }
        #expect(log.size == 0)
    }
}
