import Engine
import Foundation
import Hummingbird
import OpenAIAPI
import Templates

/// `/v1/chat/completions` and `/v1/models`: the OpenAI-compatible surface.
struct ChatController: Sendable {
    let models: [String: ServedModel]
    let modelOrder: [String]
    let bodyLimit: Int
    /// Listed in `/v1/models`; their completions are forwarded by ``UpstreamMiddleware``.
    let upstreams: UpstreamModels

    func addRoutes(to router: Router<AqylRequestContext>) {
        router.get("/v1/models") { _, _ in
            let list = ModelList(data: modelOrder.compactMap { models[$0] }.map { ModelObject(id: $0.id, created: $0.created) }
                + upstreams.modelObjects)
            return jsonResponse(list)
        }
        router.post("/v1/chat/completions") { request, _ in
            do {
                return try await chatCompletion(request)
            } catch let error as APIError {
                return errorResponse(error)
            }
        }
    }

    private func chatCompletion(_ request: Request) async throws(APIError) -> Response {
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: bodyLimit)
        } catch {
            throw APIError.requestTooLarge(limitBytes: bodyLimit)
        }
        let chat = try WireJSON.decode(ChatCompletionRequest.self, from: Data(buffer: body))
        try chat.validate()
        guard let served = models[chat.model] else { throw APIError.unknownModel(chat.model) }
        guard let formatter = served.model.chatFormatter else {
            throw APIError.internal("the model's chat template cannot be used: \(served.model.chatTemplateError ?? "unknown")")
        }
        let messages = chat.messages.map { Templates.ChatMessage(role: $0.role, content: $0.text) }
        let prompt: [Int32]
        do {
            prompt = try formatter.tokens(messages, tokenizer: served.model.tokenizer)
        } catch {
            throw APIError.invalidRequest("the conversation cannot be rendered with the model's chat template: \(error)",
                                          param: "messages")
        }
        let limit = served.contextLength
        let requested = chat.maxOutputTokens
        if prompt.count >= limit || prompt.count + (requested ?? 1) > limit {
            throw APIError.contextOverflow(promptTokens: prompt.count, limit: limit, maxTokens: requested)
        }
        let maxTokens = requested ?? (limit - prompt.count)
        let sampling = Self.sampling(chat)
        let id = "chatcmpl-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(24)
        let created = Int(Date().timeIntervalSince1970)
        let events = served.generate(prompt: prompt, maxTokens: maxTokens, sampling: sampling, stop: chat.stopSequences)

        if chat.isStreaming {
            let includeUsage = chat.includesStreamUsage
            let model = chat.model
            let promptCount = prompt.count
            var headers = HTTPFields()
            headers[.contentType] = "text/event-stream"
            headers[.cacheControl] = "no-cache"
            return Response(status: .ok, headers: headers, body: ResponseBody { writer in
                try await writer.write(ByteBuffer(string: ServerSentEvents.data(
                    ChatCompletionChunk.roleChunk(id: String(id), created: created, model: model))))
                do {
                    for try await event in events {
                        switch event {
                        case let .text(piece):
                            try await writer.write(ByteBuffer(string: ServerSentEvents.data(
                                ChatCompletionChunk.content(piece, id: String(id), created: created, model: model))))
                        case let .finished(result):
                            try await writer.write(ByteBuffer(string: ServerSentEvents.data(
                                ChatCompletionChunk.finish(Self.finishReason(result.finishReason), id: String(id),
                                                           created: created, model: model))))
                            if includeUsage {
                                let usage = Usage(promptTokens: promptCount, completionTokens: result.tokens.count)
                                try await writer.write(ByteBuffer(string: ServerSentEvents.data(
                                    ChatCompletionChunk.usageOnly(usage, id: String(id), created: created, model: model))))
                            }
                        }
                    }
                } catch {
                    // Mid-stream failure: an SSE error event, then the end marker.
                    try await writer.write(ByteBuffer(string: ServerSentEvents.error(.internal("generation failed: \(error)"))))
                }
                try await writer.write(ByteBuffer(string: ServerSentEvents.done))
                try await writer.finish(nil)
            })
        }

        var text = ""
        var final: GenerationResult?
        do {
            for try await event in events {
                switch event {
                case let .text(piece): text += piece
                case let .finished(result): final = result
                }
            }
        } catch {
            throw APIError.internal("generation failed: \(error)")
        }
        guard let result = final else { throw APIError.internal("generation ended without a result") }
        let response = ChatCompletionResponse(
            id: String(id), created: created, model: chat.model,
            choices: [.init(message: AssistantMessage(content: text), finishReason: Self.finishReason(result.finishReason))],
            usage: Usage(promptTokens: prompt.count, completionTokens: result.tokens.count))
        return jsonResponse(response)
    }

    static func sampling(_ chat: ChatCompletionRequest) -> SamplingParameters {
        var p = SamplingParameters()
        // OpenAI semantics: temperature defaults to 1; only top_p filters unless set.
        p.temperature = Float(chat.temperature ?? 1)
        p.topP = Float(chat.topP ?? 1)
        p.topK = 0
        p.minP = 0
        p.presencePenalty = Float(chat.presencePenalty ?? 0)
        p.frequencyPenalty = Float(chat.frequencyPenalty ?? 0)
        p.penaltyWindow = -1
        p.seed = chat.seed.map { UInt64(bitPattern: Int64($0)) }
        p.logitBias = Dictionary(uniqueKeysWithValues: chat.tokenBiases.map { (Int32(clamping: $0.key), Float($0.value)) })
        return p
    }

    static func finishReason(_ reason: Engine.FinishReason) -> OpenAIAPI.FinishReason {
        switch reason {
        case .stop, .cancelled: return .stop
        case .length: return .length
        }
    }
}

/// A JSON response with the wire encoder.
func jsonResponse<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) -> Response {
    var headers = HTTPFields()
    headers[.contentType] = "application/json"
    return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(data: WireJSON.data(value))))
}

/// The OpenAI error object with its HTTP status (and Retry-After when set).
func errorResponse(_ error: APIError) -> Response {
    var response = jsonResponse(error, status: HTTPResponse.Status(code: error.status))
    if let retry = error.retryAfterSeconds { response.headers[.retryAfter] = String(retry) }
    return response
}
