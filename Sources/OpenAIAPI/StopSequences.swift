/// `stop` arrives as one string or an array of strings; both mean the same set.
public enum StopSequences: Codable, Sendable, Equatable {
    case single(String)
    case multiple([String])

    /// The sequences as a list, whichever form the client sent.
    public var values: [String] {
        switch self {
        case .single(let s): [s]
        case .multiple(let list): list
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let s = try? container.decode(String.self) {
            self = .single(s)
        } else if let list = try? container.decode([String].self) {
            self = .multiple(list)
        } else {
            throw DecodingError.typeMismatch(StopSequences.self, .init(
                codingPath: decoder.codingPath, debugDescription: "stop must be a string or an array of strings"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .single(let s): try container.encode(s)
        case .multiple(let list): try container.encode(list)
        }
    }
}
