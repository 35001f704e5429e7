/// `POST /tokenize` body, in vLLM's shape that lm-evaluation-harness probes; llama-server's
/// spelling (`content`, `add_special`) is read too, and a client talking to either kind of
/// server (Aqyl's evaluator) sets both.
public struct TokenizeRequest: Codable, Sendable, Equatable {
    public var model: String?
    public var prompt: String
    /// Whether to add BOS and similar; vLLM's default is true.
    public var addSpecialTokens: Bool?
    /// llama-server's name for `prompt`; written only when set.
    public var content: String?
    /// llama-server's name for `add_special_tokens`; written only when set.
    public var addSpecial: Bool?

    public init(model: String? = nil, prompt: String, addSpecialTokens: Bool? = nil) {
        self.model = model
        self.prompt = prompt
        self.addSpecialTokens = addSpecialTokens
    }

    /// A body both vLLM-style servers and llama-server understand.
    public static func forAnyServer(model: String?, text: String, addSpecial: Bool) -> TokenizeRequest {
        var request = TokenizeRequest(model: model, prompt: text, addSpecialTokens: addSpecial)
        request.content = text
        request.addSpecial = addSpecial
        return request
    }

    public var addsSpecialTokens: Bool { addSpecialTokens ?? addSpecial ?? true }

    enum CodingKeys: String, CodingKey {
        case model, prompt, content
        case addSpecialTokens = "add_special_tokens"
        case addSpecial = "add_special"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        model = try c.decodeIfPresent(String.self, forKey: .model)
        content = try c.decodeIfPresent(String.self, forKey: .content)
        guard let text = try c.decodeIfPresent(String.self, forKey: .prompt) ?? content else {
            throw DecodingError.keyNotFound(CodingKeys.prompt, .init(codingPath: c.codingPath,
                                                                     debugDescription: "'prompt' (or 'content') is required"))
        }
        prompt = text
        addSpecialTokens = try c.decodeIfPresent(Bool.self, forKey: .addSpecialTokens)
        addSpecial = try c.decodeIfPresent(Bool.self, forKey: .addSpecial)
    }
}

/// `POST /tokenize` answer; `count` and `max_model_len` are vLLM extras clients may read.
public struct TokenizeResponse: Codable, Sendable, Equatable {
    public var tokens: [Int]
    public var count: Int
    public var maxModelLen: Int?

    public init(tokens: [Int], maxModelLen: Int? = nil) {
        self.tokens = tokens
        self.count = tokens.count
        self.maxModelLen = maxModelLen
    }

    enum CodingKeys: String, CodingKey {
        case tokens, count
        case maxModelLen = "max_model_len"
    }

    /// llama-server answers with `tokens` only; `count` is then their number.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        tokens = try c.decode([Int].self, forKey: .tokens)
        count = try c.decodeIfPresent(Int.self, forKey: .count) ?? tokens.count
        maxModelLen = try c.decodeIfPresent(Int.self, forKey: .maxModelLen)
    }
}

/// `POST /detokenize` body.
public struct DetokenizeRequest: Codable, Sendable, Equatable {
    public var model: String?
    public var tokens: [Int]

    public init(model: String? = nil, tokens: [Int]) {
        self.model = model
        self.tokens = tokens
    }
}

/// `POST /detokenize` answer; the text is under `prompt`, as in vLLM.
public struct DetokenizeResponse: Codable, Sendable, Equatable {
    public var prompt: String

    public init(prompt: String) { self.prompt = prompt }
}

/// `GET /tokenizer_info`: what a remote client needs to use the server as its tokenizer
/// (lm-evaluation-harness reads `eos_token` and friends from here).
public struct TokenizerInfo: Codable, Sendable, Equatable {
    public var eosToken: String?
    public var bosToken: String?
    public var padToken: String?
    public var eosTokenId: Int?
    public var bosTokenId: Int?
    public var vocabSize: Int?
    public var modelMaxLength: Int?
    public var chatTemplate: String?
    public var tokenizerClass: String?

    public init(eosToken: String?, bosToken: String?, padToken: String? = nil, eosTokenId: Int? = nil,
                bosTokenId: Int? = nil, vocabSize: Int? = nil, modelMaxLength: Int? = nil,
                chatTemplate: String? = nil, tokenizerClass: String? = nil) {
        self.eosToken = eosToken
        self.bosToken = bosToken
        self.padToken = padToken
        self.eosTokenId = eosTokenId
        self.bosTokenId = bosTokenId
        self.vocabSize = vocabSize
        self.modelMaxLength = modelMaxLength
        self.chatTemplate = chatTemplate
        self.tokenizerClass = tokenizerClass
    }

    enum CodingKeys: String, CodingKey {
        case eosToken = "eos_token"
        case bosToken = "bos_token"
        case padToken = "pad_token"
        case eosTokenId = "eos_token_id"
        case bosTokenId = "bos_token_id"
        case vocabSize = "vocab_size"
        case modelMaxLength = "model_max_length"
        case chatTemplate = "chat_template"
        case tokenizerClass = "tokenizer_class"
    }
}
