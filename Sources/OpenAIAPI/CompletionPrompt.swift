/// `prompt` of `/v1/completions`: text, a batch of texts, one token-id sequence, or a
/// batch of token-id sequences. lm-evaluation-harness sends `[[ids]]` so that its own
/// tokenization is scored exactly, which is why token prompts matter.
public enum CompletionPrompt: Codable, Sendable, Equatable {
    case text(String)
    case texts([String])
    case tokens([Int])
    case tokenBatches([[Int]])

    /// One prompt of a batch; each yields one choice.
    public enum Item: Sendable, Equatable {
        case text(String)
        case tokens([Int])
    }

    /// The prompts in order; choice `index` i answers `items[i]`.
    public var items: [Item] {
        switch self {
        case .text(let s): [.text(s)]
        case .texts(let list): list.map { .text($0) }
        case .tokens(let ids): [.tokens(ids)]
        case .tokenBatches(let batches): batches.map { .tokens($0) }
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let s = try? container.decode(String.self) {
            self = .text(s)
        } else if let ids = try? container.decode([Int].self) {
            // Tried before [String] so that `[]` and `[1,2]` both read as tokens.
            self = .tokens(ids)
        } else if let list = try? container.decode([String].self) {
            self = .texts(list)
        } else if let batches = try? container.decode([[Int]].self) {
            self = .tokenBatches(batches)
        } else {
            throw DecodingError.typeMismatch(CompletionPrompt.self, .init(
                codingPath: decoder.codingPath,
                debugDescription: "prompt must be a string, an array of strings, an array of token ids, or an array of arrays of token ids"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let s): try container.encode(s)
        case .texts(let list): try container.encode(list)
        case .tokens(let ids): try container.encode(ids)
        case .tokenBatches(let batches): try container.encode(batches)
        }
    }
}
