/// Chat-style log-probabilities (`choices[].logprobs`), one entry per generated token.
public struct ChatLogprobs: Codable, Sendable, Equatable {
    public var content: [TokenLogprob]?

    public init(content: [TokenLogprob]?) { self.content = content }

    /// `content` is always written, as OpenAI does, even when null.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(content, forKey: .content)
    }

    enum CodingKeys: String, CodingKey { case content }
}

/// One generated token with its log-probability and the most likely alternatives.
/// `bytes` carries the raw UTF-8 so clients can rebuild text split inside a character.
public struct TokenLogprob: Codable, Sendable, Equatable {
    public var token: String
    public var logprob: Double
    public var bytes: [UInt8]?
    public var topLogprobs: [TopLogprob]

    public init(token: String, logprob: Double, bytes: [UInt8]? = nil, topLogprobs: [TopLogprob] = []) {
        self.token = token
        self.logprob = logprob
        self.bytes = bytes
        self.topLogprobs = topLogprobs
    }

    enum CodingKeys: String, CodingKey {
        case token, logprob, bytes
        case topLogprobs = "top_logprobs"
    }

    /// `bytes` is written as null when unknown, and `logprob` is floored to stay finite JSON.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(token, forKey: .token)
        try c.encode(WireLogprob.finite(logprob), forKey: .logprob)
        try c.encode(bytes, forKey: .bytes)
        try c.encode(topLogprobs, forKey: .topLogprobs)
    }
}

/// An alternative token at one position of `top_logprobs`.
public struct TopLogprob: Codable, Sendable, Equatable {
    public var token: String
    public var logprob: Double
    public var bytes: [UInt8]?

    public init(token: String, logprob: Double, bytes: [UInt8]? = nil) {
        self.token = token
        self.logprob = logprob
        self.bytes = bytes
    }

    enum CodingKeys: String, CodingKey { case token, logprob, bytes }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(token, forKey: .token)
        try c.encode(WireLogprob.finite(logprob), forKey: .logprob)
        try c.encode(bytes, forKey: .bytes)
    }
}
