import Foundation

/// `POST /v1/embeddings` body, as the official clients send it.
public struct EmbeddingRequest: Codable, Sendable, Equatable {
    public var model: String
    /// A text, texts, a token-id sequence, or token-id sequences (the same shapes as a completion prompt).
    public var input: CompletionPrompt
    /// `float` (default) or `base64` (little-endian float32, as OpenAI sends it).
    public var encodingFormat: String?
    public var dimensions: Int?
    public var user: String?

    public init(model: String, input: CompletionPrompt, encodingFormat: String? = nil, dimensions: Int? = nil) {
        self.model = model
        self.input = input
        self.encodingFormat = encodingFormat
        self.dimensions = dimensions
    }

    enum CodingKeys: String, CodingKey {
        case model, input, dimensions, user
        case encodingFormat = "encoding_format"
    }

    public static let maxInputs = 2048

    /// Shape checks that need no model: formats, counts, empty inputs.
    public func validate() throws(APIError) {
        if let format = encodingFormat, format != "float", format != "base64" {
            throw .invalidValue("encoding_format", "'encoding_format' must be 'float' or 'base64', got '\(format)'.")
        }
        let items = input.items
        guard !items.isEmpty else { throw .invalidValue("input", "'input' must not be empty.") }
        guard items.count <= Self.maxInputs else {
            throw .invalidValue("input", "'input' has \(items.count) entries; at most \(Self.maxInputs) per request.")
        }
        for (i, item) in items.enumerated() {
            switch item {
            case let .text(t) where t.isEmpty:
                throw .invalidValue("input", "'input[\(i)]' is an empty string.")
            case let .tokens(ids) where ids.isEmpty:
                throw .invalidValue("input", "'input[\(i)]' is an empty token list.")
            default: break
            }
        }
        if let d = dimensions, d < 1 {
            throw .invalidValue("dimensions", "'dimensions' must be at least 1, got \(d).")
        }
    }
}

/// The answer: one vector per input, in input order.
public struct EmbeddingResponse: Codable, Sendable, Equatable {
    public struct Item: Codable, Sendable, Equatable {
        public var object = "embedding"
        public var index: Int
        public var embedding: EmbeddingVector

        public init(index: Int, embedding: EmbeddingVector) {
            self.index = index
            self.embedding = embedding
        }
    }

    public struct Usage: Codable, Sendable, Equatable {
        public var promptTokens: Int
        public var totalTokens: Int

        public init(promptTokens: Int) {
            self.promptTokens = promptTokens
            totalTokens = promptTokens
        }

        enum CodingKeys: String, CodingKey {
            case promptTokens = "prompt_tokens"
            case totalTokens = "total_tokens"
        }
    }

    public var object = "list"
    public var data: [Item]
    public var model: String
    public var usage: Usage

    public init(data: [Item], model: String, usage: Usage) {
        self.data = data
        self.model = model
        self.usage = usage
    }
}

/// A vector as floats, or as base64 of its little-endian float32 bytes.
public enum EmbeddingVector: Codable, Sendable, Equatable {
    case float([Float])
    case base64(String)

    public init(_ values: [Float], base64: Bool) {
        guard base64 else { self = .float(values); return }
        var bytes = [UInt8]()
        bytes.reserveCapacity(values.count * 4)
        for v in values {
            let bits = v.bitPattern.littleEndian
            bytes += [UInt8(bits & 0xFF), UInt8(bits >> 8 & 0xFF), UInt8(bits >> 16 & 0xFF), UInt8(bits >> 24)]
        }
        self = .base64(Data(bytes).base64EncodedString())
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self) { self = .base64(s) } else { self = .float(try c.decode([Float].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case let .float(v): try c.encode(v)
        case let .base64(s): try c.encode(s)
        }
    }
}
