import Foundation

/// A daily aggregate as appended to the log after its UTC day ends.
public struct AggregateRecord: Codable, Sendable, Equatable {
    public var kind = "aggregate"
    public var v = 1
    public var definitions: String
    public var figures: DayFigures

    public init(figures: DayFigures) {
        definitions = Definitions.version
        self.figures = figures
    }
}

/// One entry of the usage log.
public enum LedgerEntry: Sendable, Equatable {
    case event(UsageEvent)
    case aggregate(AggregateRecord)

    private struct Kind: Decodable { var kind: String }

    public init(bytes: [UInt8]) throws {
        let data = Data(bytes)
        let decoder = JSONDecoder()
        switch try decoder.decode(Kind.self, from: data).kind {
        case "event":
            let event = try decoder.decode(UsageEvent.self, from: data)
            // A log can come from anywhere (`stats verify --url`): numbers are range-checked
            // before the figures add them up, so no entry can make the arithmetic trap.
            guard UsageEvent.timeRange.contains(event.time), UsageEvent.tokenRange.contains(event.promptTokens),
                  UsageEvent.tokenRange.contains(event.completionTokens)
            else { throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "event numbers out of range")) }
            self = .event(event)
        case "aggregate": self = .aggregate(try decoder.decode(AggregateRecord.self, from: data))
        case let other:
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "unknown entry kind '\(other)'"))
        }
    }

    public func bytes() throws -> [UInt8] {
        switch self {
        case let .event(e): return try CanonicalJSON.encode(e)
        case let .aggregate(a): return try CanonicalJSON.encode(a)
        }
    }
}
