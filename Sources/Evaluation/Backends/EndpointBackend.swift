import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import OpenAIAPI

/// Any OpenAI-compatible server: `aqyl serve`, vLLM (hosting KazLLM-8B, say),
/// llama-server. Log-likelihoods come from `/v1/completions` with `echo` and
/// `logprobs` over token ids from the server's own `/tokenize`, exactly what
/// lm-evaluation-harness's `local-completions` model sends.
public final class EndpointBackend: ScoringBackend, @unchecked Sendable {
    // @unchecked: immutable after `connect`.
    public let identity: ModelIdentity
    public let contextLength: Int
    public let prefixToken: Int32
    let base: String
    let modelID: String
    let apiKey: String?
    /// Nil when the server has no `/tokenize`: generation works, scoring does not.
    let tokenizeProblem: String?
    let timeout: TimeAmount

    init(base: String, modelID: String, apiKey: String?, contextLength: Int, prefixToken: Int32,
         tokenizeProblem: String?, timeoutSeconds: Int64) {
        self.base = base
        self.modelID = modelID
        self.apiKey = apiKey
        self.contextLength = contextLength
        self.prefixToken = prefixToken
        self.tokenizeProblem = tokenizeProblem
        timeout = .seconds(timeoutSeconds)
        identity = ModelIdentity(label: modelID, location: base, model: modelID)
    }

    /// Checks the server is there, picks the model (the first listed when `model`
    /// is nil) and learns its context length and BOS from `/tokenize`.
    public static func connect(url: String, model: String?, apiKey: String?, context: Int? = nil,
                               timeoutSeconds: Int64 = 600) async throws -> EndpointBackend {
        var base = url.trimmingCharacters(in: .whitespaces)
        while base.hasSuffix("/") { base.removeLast() }
        if base.hasSuffix("/v1") { base.removeLast(3) }
        guard base.hasPrefix("http://") || base.hasPrefix("https://") else {
            throw EvaluationError.invalidOption("--endpoint must be an http:// or https:// URL, got '\(url)'")
        }
        let probe = EndpointBackend(base: base, modelID: model ?? "", apiKey: apiKey, contextLength: context ?? 2048,
                                    prefixToken: 0, tokenizeProblem: nil, timeoutSeconds: timeoutSeconds)
        let listed = try await probe.request("GET", "/v1/models", as: ModelList.self).data.map(\.id)
        guard let chosen = model ?? listed.first else {
            throw EvaluationError.endpointError(endpoint: base, status: 200, body: "/v1/models lists no model")
        }
        if let model, !listed.isEmpty, !listed.contains(model) {
            throw EvaluationError.invalidOption("\(base) does not serve '\(model)' (it lists: \(listed.joined(separator: ", ")))")
        }
        var maxLength = context
        var prefix: Int32 = 0
        var problem: String?
        do {
            let answer = try await probe.request("POST", "/tokenize", body: TokenizeRequest.forAnyServer(model: chosen, text: "", addSpecial: true),
                                                 as: TokenizeResponse.self)
            if maxLength == nil, let m = answer.maxModelLen, m > 0 { maxLength = m }
            if let first = answer.tokens.first, let id = Int32(exactly: first) { prefix = id }
            if let info = try? await probe.request("GET", "/tokenizer_info", as: TokenizerInfo.self),
               let bos = (info.bosTokenId ?? info.eosTokenId).flatMap(Int32.init(exactly:)) {
                prefix = bos
            }
        } catch let EvaluationError.endpointError(_, status, body) {
            problem = "POST /tokenize answered HTTP \(status) (\(body.prefix(120))); the evaluator needs the server's "
                + "own token ids to split context from continuation"
        }
        return EndpointBackend(base: base, modelID: chosen, apiKey: apiKey, contextLength: maxLength ?? 2048,
                               prefixToken: prefix, tokenizeProblem: problem, timeoutSeconds: timeoutSeconds)
    }

    public func tokenize(_ text: String, addSpecial: Bool) async throws -> [Int32] {
        if let tokenizeProblem { throw EvaluationError.endpointCannotScore(endpoint: base, reason: tokenizeProblem) }
        // vLLM and aqyl read `prompt` and `add_special_tokens`; llama-server reads `content` and `add_special`.
        let tokens = try await request("POST", "/tokenize", body: TokenizeRequest.forAnyServer(model: modelID, text: text, addSpecial: addSpecial),
                                       as: TokenizeResponse.self).tokens
        // A silent empty answer would make every choice score 0: chance level, not a measurement.
        if tokens.isEmpty, !text.isEmpty {
            throw EvaluationError.endpointCannotScore(endpoint: base, reason: "/tokenize returned no tokens for a non-empty text")
        }
        let ids = tokens.compactMap(Int32.init(exactly:))
        guard ids.count == tokens.count else {
            throw EvaluationError.endpointCannotScore(endpoint: base, reason: "/tokenize returned a token id outside 32 bits")
        }
        return ids
    }

    public func score(_ tokens: [Int32], from: Int) async throws -> TokenScores {
        var body = CompletionRequest(model: modelID, prompt: .tokenBatches([tokens.map { Int($0) }]))
        body.maxTokens = 1
        body.logprobs = 1
        body.echo = true
        body.temperature = 0
        body.seed = 1234
        let answer: CompletionResponse
        do {
            answer = try await request("POST", "/v1/completions", body: body, as: CompletionResponse.self)
        } catch let EvaluationError.endpointError(_, status, text) where status == 400 || status == 422 || status == 501 {
            throw EvaluationError.endpointCannotScore(endpoint: base, reason: "/v1/completions refused echo+logprobs "
                + "(HTTP \(status): \(text.prefix(160)))")
        }
        guard let logprobs = answer.choices.first?.logprobs else {
            throw EvaluationError.endpointCannotScore(endpoint: base, reason: "the answer has no logprobs.token_logprobs")
        }
        let values = logprobs.tokenLogprobs
        // echo: one entry per prompt token (the first null) plus the generated one.
        guard values.count >= tokens.count else {
            throw EvaluationError.endpointCannotScore(endpoint: base, reason: "it returned \(values.count) logprobs for a "
                + "\(tokens.count)-token prompt, so it does not echo prompt logprobs")
        }
        var scores = TokenScores()
        for i in from..<tokens.count {
            guard let v = values[i] else {
                throw EvaluationError.endpointCannotScore(endpoint: base, reason: "prompt token \(i) has no logprob")
            }
            scores.logprobs.append(v)
            // lm-eval's is_greedy: the best entry of top_logprobs is the token itself.
            var greedy = false
            if i < logprobs.topLogprobs.count, let top = logprobs.topLogprobs[i], i < logprobs.tokens.count {
                greedy = top.max { $0.value < $1.value }?.key == logprobs.tokens[i]
            }
            scores.greedy.append(greedy)
        }
        return scores
    }

    public func generate(_ prompt: String, maxTokens: Int, stop: [String]) async throws -> String {
        var body = CompletionRequest(model: modelID, prompt: .text(prompt))
        body.maxTokens = maxTokens
        body.temperature = 0
        body.seed = 1234
        if !stop.isEmpty { body.stop = .multiple(stop) }
        guard let text = try await request("POST", "/v1/completions", body: body, as: CompletionResponse.self).choices.first?.text else {
            throw EvaluationError.endpointError(endpoint: base, status: 200, body: "no choices[0].text in the answer")
        }
        // Servers that ignore `stop` still get cut here.
        var cut = text
        for s in stop { if let r = cut.range(of: s) { cut = String(cut[..<r.lowerBound]) } }
        return cut
    }

    /// The client for every endpoint request. A refused or unanswered connection is an
    /// error at once (after 10 s for a connect that hangs): AsyncHTTPClient's default
    /// retries connecting until the request's deadline, which made a mistyped URL wait out
    /// the whole scoring timeout before saying so.
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout.connect = .seconds(10)
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// One JSON request with the API's Codable types; non-2xx answers become
    /// ``EvaluationError/endpointError``, and an answer that does not decode names what was wrong.
    func request<Response: Decodable>(_ method: String, _ path: String, body: (any Encodable)? = nil,
                                      as: Response.Type) async throws -> Response {
        var req = HTTPClientRequest(url: base + path)
        req.method = .init(rawValue: method)
        req.headers.add(name: "Content-Type", value: "application/json")
        if let apiKey { req.headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
        if let body { req.body = .bytes(ByteBuffer(data: try WireJSON.makeEncoder().encode(body))) }
        let response: HTTPClientResponse
        var buffer: ByteBuffer
        do {
            response = try await Self.client.execute(req, timeout: timeout)
            buffer = try await response.body.collect(upTo: 256 << 20)
        } catch {
            throw EvaluationError.endpointUnreachable(endpoint: base + path, reason: "\(error)")
        }
        let data = buffer.readData(length: buffer.readableBytes) ?? Data()
        guard (200..<300).contains(Int(response.status.code)) else {
            throw EvaluationError.endpointError(endpoint: base + path, status: Int(response.status.code),
                                                body: String(decoding: data, as: UTF8.self))
        }
        do {
            return try WireJSON.makeDecoder().decode(Response.self, from: data)
        } catch {
            throw EvaluationError.endpointError(endpoint: base + path, status: Int(response.status.code),
                                                body: "not the expected answer (\(error)): \(String(decoding: data.prefix(200), as: UTF8.self))")
        }
    }
}
