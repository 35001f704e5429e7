import Engine
import Foundation
import Hummingbird
import OpenAIAPI

/// `GET /tokenizer_info`, `POST /tokenize`, `POST /detokenize` in vLLM's shapes,
/// which lm-evaluation-harness probes to use the server as its tokenizer.
/// `model` selects the model; without it, the first served one answers.
/// Also under `/v1/…`, where some clients look.
struct TokenizerController: Sendable {
    let models: [String: ServedModel]
    let defaultModel: String?
    let bodyLimit: Int

    func addRoutes(to router: RouterGroup<AqylRequestContext>) {
        for prefix in ["", "/v1"] {
            router.get("\(prefix)/tokenizer_info") { request, _ in
                respond { () throws(APIError) in try info(request.uri.queryParameters.get("model")) }
            }
            router.post("\(prefix)/tokenize") { request, _ in
                await respondAsync { () async throws(APIError) in try await tokenize(request) }
            }
            router.post("\(prefix)/detokenize") { request, _ in
                await respondAsync { () async throws(APIError) in try await detokenize(request) }
            }
        }
    }

    private func model(_ name: String?) throws(APIError) -> ServedModel {
        if let name, !name.isEmpty {
            guard let m = models[name] else { throw APIError.unknownModel(name) }
            return m
        }
        guard let name = defaultModel, let m = models[name] else { throw APIError.notFound("no model is served") }
        return m
    }

    private func info(_ name: String?) throws(APIError) -> Response {
        let served = try model(name)
        let tok = served.model.tokenizer
        var template: String?
        if let formatter = served.model.chatFormatter, case .jinja = formatter.source {
            template = served.model.file.metadata["tokenizer.chat_template"]?.string
        }
        return jsonResponse(TokenizerInfo(
            eosToken: tok.eosID.flatMap { tok.tokenText($0) }, bosToken: tok.bosID.flatMap { tok.tokenText($0) },
            padToken: nil, eosTokenId: tok.eosID.map(Int.init), bosTokenId: tok.bosID.map(Int.init),
            vocabSize: tok.vocabularySize, modelMaxLength: served.contextLength, chatTemplate: template,
            tokenizerClass: served.model.file.metadata["tokenizer.ggml.model"]?.string))
    }

    private func tokenize(_ request: Request) async throws(APIError) -> Response {
        let body = try await decodeBody(TokenizeRequest.self, from: request, limit: bodyLimit)
        let served = try model(body.model)
        let ids = served.model.tokenizer.encode(body.prompt, addSpecial: body.addsSpecialTokens, parseSpecial: true)
        return jsonResponse(TokenizeResponse(tokens: ids.map(Int.init), maxModelLen: served.contextLength))
    }

    private func detokenize(_ request: Request) async throws(APIError) -> Response {
        let body = try await decodeBody(DetokenizeRequest.self, from: request, limit: bodyLimit)
        let served = try model(body.model)
        let vocabulary = served.model.tokenizer.vocabularySize
        if let bad = body.tokens.first(where: { $0 < 0 || $0 >= vocabulary }) {
            throw APIError.invalidValue("tokens", "Token id \(bad) is outside the vocabulary of \(vocabulary) tokens.")
        }
        return jsonResponse(DetokenizeResponse(prompt: served.model.tokenizer.decode(body.tokens.map { Int32($0) }, special: true)))
    }
}

/// Runs a handler and turns its APIError into the OpenAI error response.
func respond(_ body: () throws(APIError) -> Response) -> Response {
    do { return try body() } catch { return errorResponse(error) }
}

func respondAsync(_ body: () async throws(APIError) -> Response) async -> Response {
    do { return try await body() } catch { return errorResponse(error) }
}
