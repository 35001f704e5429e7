import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat

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
        let models = try await probe.request("GET", "/v1/models", body: nil)
        let listed = ((models["data"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
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
            let answer = try await probe.request("POST", "/tokenize",
                                                 body: ["model": chosen, "prompt": "", "content": "", "add_special_tokens": true,
                                                        "add_special": true])
            if maxLength == nil, let m = answer["max_model_len"] as? Int, m > 0 { maxLength = m }
            if let first = (answer["tokens"] as? [Int])?.first { prefix = Int32(first) }
            if let info = try? await probe.request("GET", "/tokenizer_info", body: nil) {
                if let bos = (info["bos_token_id"] as? Int) ?? (info["eos_token_id"] as? Int) { prefix = Int32(bos) }
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
        let answer = try await request("POST", "/tokenize", body: ["model": modelID, "prompt": text, "content": text,
                                                                    "add_special_tokens": addSpecial, "add_special": addSpecial])
        guard let tokens = answer["tokens"] as? [Int] else {
            throw EvaluationError.endpointCannotScore(endpoint: base, reason: "/tokenize gave no 'tokens' array")
        }
        // A silent empty answer would make every choice score 0: chance level, not a measurement.
        if tokens.isEmpty, !text.isEmpty {
            throw EvaluationError.endpointCannotScore(endpoint: base, reason: "/tokenize returned no tokens for a non-empty text")
        }
        return tokens.map { Int32($0) }
    }

    public func score(_ tokens: [Int32], from: Int) async throws -> TokenScores {
        let body: [String: Any] = ["model": modelID, "prompt": [tokens.map { Int($0) }], "max_tokens": 1, "logprobs": 1,
                                   "echo": true, "temperature": 0, "seed": 1234]
        let answer: [String: Any]
        do {
            answer = try await request("POST", "/v1/completions", body: body)
        } catch let EvaluationError.endpointError(_, status, text) where status == 400 || status == 422 || status == 501 {
            throw EvaluationError.endpointCannotScore(endpoint: base, reason: "/v1/completions refused echo+logprobs "
                + "(HTTP \(status): \(text.prefix(160)))")
        }
        guard let choice = (answer["choices"] as? [[String: Any]])?.first,
              let logprobs = choice["logprobs"] as? [String: Any],
              let values = logprobs["token_logprobs"] as? [Any] else {
            throw EvaluationError.endpointCannotScore(endpoint: base, reason: "the answer has no logprobs.token_logprobs")
        }
        // echo: one entry per prompt token (the first null) plus the generated one.
        guard values.count >= tokens.count else {
            throw EvaluationError.endpointCannotScore(endpoint: base, reason: "it returned \(values.count) logprobs for a "
                + "\(tokens.count)-token prompt, so it does not echo prompt logprobs")
        }
        let texts = logprobs["tokens"] as? [String] ?? []
        let tops = logprobs["top_logprobs"] as? [Any] ?? []
        var scores = TokenScores()
        for i in from..<tokens.count {
            guard let v = (values[i] as? Double) ?? (values[i] as? NSNumber)?.doubleValue else {
                throw EvaluationError.endpointCannotScore(endpoint: base, reason: "prompt token \(i) has no logprob")
            }
            scores.logprobs.append(v)
            // lm-eval's is_greedy: the best entry of top_logprobs is the token itself.
            var greedy = false
            if i < tops.count, let top = tops[i] as? [String: Any], i < texts.count {
                let best = top.max { (($0.value as? Double) ?? -.infinity) < (($1.value as? Double) ?? -.infinity) }
                greedy = best?.key == texts[i]
            }
            scores.greedy.append(greedy)
        }
        return scores
    }

    public func generate(_ prompt: String, maxTokens: Int, stop: [String]) async throws -> String {
        var body: [String: Any] = ["model": modelID, "prompt": prompt, "max_tokens": maxTokens, "temperature": 0, "seed": 1234]
        if !stop.isEmpty { body["stop"] = stop }
        let answer = try await request("POST", "/v1/completions", body: body)
        guard let choice = (answer["choices"] as? [[String: Any]])?.first, let text = choice["text"] as? String else {
            throw EvaluationError.endpointError(endpoint: base, status: 200, body: "no choices[0].text in the answer")
        }
        // Servers that ignore `stop` still get cut here.
        var cut = text
        for s in stop { if let r = cut.range(of: s) { cut = String(cut[..<r.lowerBound]) } }
        return cut
    }

    /// One JSON request; non-2xx answers become ``EvaluationError/endpointError``.
    func request(_ method: String, _ path: String, body: [String: Any]?) async throws -> [String: Any] {
        var req = HTTPClientRequest(url: base + path)
        req.method = .init(rawValue: method)
        req.headers.add(name: "Content-Type", value: "application/json")
        if let apiKey { req.headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
        if let body { req.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: body))) }
        let response: HTTPClientResponse
        var buffer: ByteBuffer
        do {
            response = try await HTTPClient.shared.execute(req, timeout: timeout)
            buffer = try await response.body.collect(upTo: 256 << 20)
        } catch {
            throw EvaluationError.endpointUnreachable(endpoint: base + path, reason: "\(error)")
        }
        let data = buffer.readData(length: buffer.readableBytes) ?? Data()
        guard (200..<300).contains(Int(response.status.code)) else {
            throw EvaluationError.endpointError(endpoint: base + path, status: Int(response.status.code),
                                                body: String(decoding: data, as: UTF8.self))
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw EvaluationError.endpointError(endpoint: base + path, status: Int(response.status.code),
                                                body: "not a JSON object: \(String(decoding: data.prefix(200), as: UTF8.self))")
        }
        return object
    }
}
