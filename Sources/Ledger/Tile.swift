/// One resource of a C2SP tlog-tiles log (c2sp.org/tlog-tiles), as named by its path
/// under the log's prefix: `tile/<L>/<N>[.p/<W>]` (hashes) or `tile/entries/<N>[.p/<W>]`.
///
/// A hash tile at level L holds the hashes of 256 consecutive complete subtrees of
/// height 8·L (level 0: leaf hashes). N is written in groups of three digits, all but
/// the last prefixed with `x` (1234067 → `x001/x234/067`); a partial tile of W < 256
/// items ends in `.p/W`. Every tile is immutable once the log holds it: later entries
/// only add tiles, never change one.
public struct Tile: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        case hashes(level: Int)
        case entries
    }

    public var kind: Kind
    public var index: Int
    /// Items in the tile: 256 for a full tile, 1…255 for a partial one.
    public var width: Int

    public static let height = 8
    public static let width = 256
    /// An entry bundle writes each entry's length in 2 bytes.
    public static let maxEntryBytes = 65_535
    /// Levels a 63-bit tree can have (8 · 8 = 64 tree levels).
    static let maxLevel = 7
    /// Index groups accepted (15 digits: far beyond any log, and index × 256 cannot overflow).
    static let maxGroups = 5

    public init(kind: Kind, index: Int, width: Int = Tile.width) {
        self.kind = kind
        self.index = index
        self.width = width
    }

    public var isFull: Bool { width == Self.width }

    /// The path under the prefix, e.g. `tile/0/x001/234.p/7`.
    public var path: String {
        let level: String
        switch kind {
        case let .hashes(l): level = String(l)
        case .entries: level = "entries"
        }
        return "tile/\(level)/" + Self.indexPath(index) + (isFull ? "" : ".p/\(width)")
    }

    /// 1234067 → `x001/x234/067`.
    public static func indexPath(_ n: Int) -> String {
        var groups: [String] = []
        var rest = n
        repeat {
            let group = String(rest % 1000)
            groups.insert(String(repeating: "0", count: 3 - group.count) + group, at: 0)
            rest /= 1000
        } while rest > 0
        return groups.enumerated().map { $0.offset < groups.count - 1 ? "x" + $0.element : $0.element }.joined(separator: "/")
    }

    /// The tile a path after `tile/` names (`["0", "x001", "234.p", "7"]`), or nil for
    /// anything that is not a canonical tile path.
    public init?(components: [Substring]) {
        guard let levelText = components.first, components.count >= 2 else { return nil }
        let kind: Kind
        if levelText == "entries" {
            kind = .entries
        } else {
            guard levelText.count == 1, let l = Int(levelText), (0...Self.maxLevel).contains(l) else { return nil }
            kind = .hashes(level: l)
        }
        var groups = Array(components.dropFirst())
        var width = Self.width
        if groups.count >= 2, groups[groups.count - 2].hasSuffix(".p") {
            guard let w = Int(groups[groups.count - 1]), (1..<Self.width).contains(w), String(w) == groups[groups.count - 1] else { return nil }
            width = w
            groups.removeLast()
            groups[groups.count - 1] = groups[groups.count - 1].dropLast(2)
        }
        guard (1...Self.maxGroups).contains(groups.count) else { return nil }
        var index = 0
        for (i, group) in groups.enumerated() {
            let digits = i < groups.count - 1 ? (group.hasPrefix("x") ? group.dropFirst() : "") : group
            guard digits.count == 3, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(digits) else { return nil }
            index = index * 1000 + value
        }
        // Canonical only: one spelling per tile (no `x000/…` padding).
        guard Self.indexPath(index) == groups.joined(separator: "/") else { return nil }
        self.init(kind: kind, index: index, width: width)
    }
}
