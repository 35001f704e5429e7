/// One published number: exact, or suppressed because it describes fewer
/// than ``Definitions/suppressionThreshold`` users. Written as a number or "<5".
public enum Cell: Codable, Sendable, Equatable, CustomStringConvertible {
    case value(Int)
    case suppressed

    /// `count` of something about a group of `users` people.
    public static func of(_ count: Int, users: Int) -> Cell {
        users < Definitions.suppressionThreshold ? .suppressed : .value(count)
    }

    /// A count of users.
    public static func users(_ n: Int) -> Cell { of(n, users: n) }

    public var description: String {
        switch self {
        case let .value(n): return String(n)
        case .suppressed: return "<\(Definitions.suppressionThreshold)"
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let n = try? c.decode(Int.self) { self = .value(n); return }
        let s = try c.decode(String.self)
        guard s == "<\(Definitions.suppressionThreshold)" else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "expected a number or \"<5\", got \(s)")
        }
        self = .suppressed
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case let .value(n): try c.encode(n)
        case .suppressed: try c.encode(description)
        }
    }
}
