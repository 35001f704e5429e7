import Engine
import Foundation
import Hummingbird
import OpenAIAPI
import StructuredOutput
import Templates

/// `/v1/chat/completions` and `/v1/models`: the OpenAI-compatible chat surface.
struct ChatController: Sendable {
    let models: [String: ServedModel]
    let modelOrder: [String]
    let bodyLimit: Int
    let usage: UsageRecorder?
    /// Listed in `/v1/models`; their completions are forwarded by ``UpstreamMiddleware``.
    let upstreams: UpstreamModels

    func addRoutes(to router: RouterGroup<AqylRequestContext>) {
        router.get("/v1/models") { _, _ in
            let list = ModelList(data: modelOrder.compactMap { models[$0] }.map(\.modelObject)
                + upstreams.modelObjects)
            return jsonResponse(list)
        }
        router.post("/v1/chat/completions") { request, context in
            do {
                return try await chatCompletion(request, caller: context.caller)
            } catch let error as APIError {
                return errorResponse(error)
            }
        }
    }

    private func chatCompletion(_ request: Request, caller: Caller) async throws(APIError) -> Response {
        let chat = try await decodeBody(ChatCompletionRequest.self, from: request, limit: bodyLimit)
        try chat.validate()
        guard let served = models[chat.model] else { throw APIError.unknownModel(chat.model) }
        let messages = chat.messages.map {
            Templates.ChatMessage(role: $0.role, content: $0.text,
                                  toolCalls: ($0.toolCalls ?? []).map { .init(id: $0.id, name: $0.function.name, arguments: $0.function.arguments) },
                                  toolCallID: $0.toolCallId, name: $0.name)
        }
        let tools = try ToolPlanning.plan(chat, served: served)
        let prompt = try served.chatPrompt(messages, tools: tools?.templateTools ?? [], param: "messages")
        let limit = served.contextLength
        let requested = chat.maxOutputTokens
        // Compared by subtraction: max_tokens may be as large as Int.max, and an overflow trap
        // would end the process for every user.
        if prompt.count >= limit || (requested ?? 1) > limit - prompt.count {
            throw APIError.contextOverflow(promptTokens: prompt.count, limit: limit, maxTokens: requested)
        }
        let sampling = SamplingMapping.parameters(
            temperature: chat.temperature, topP: chat.topP, presencePenalty: chat.presencePenalty,
            frequencyPenalty: chat.frequencyPenalty, seed: chat.seed, logitBias: chat.tokenBiases)
        let wantsLogprobs = chat.logprobs == true
        let schema = try chat.responseSchema()
        let job = GenerationRequest(prompt: prompt, maxTokens: requested ?? (limit - prompt.count), sampling: sampling,
                                    stop: chat.stopSequences, logprobs: wantsLogprobs ? (chat.topLogprobs ?? 0) : nil,
                                    jsonObject: chat.wantsJSONObject, jsonSchema: schema, toolCalls: tools?.plan)
        let account = UsageAccount(recorder: usage, caller: caller, model: chat.model, promptTokens: prompt.count,
                                   conversation: request.headers[UsageAccount.conversationHeader],
                                   fromWebScript: request.headers[UsageAccount.clientHeader] == "web-chat")
        let events: AsyncThrowingStream<GenerationEvent, any Error>
        do {
            events = try served.submit(job, param: "messages")
        } catch {
            if error.status == 503 { await account.finish(nil) }
            throw error
        }
        let reply = ChatReply(id: makeResponseID("chatcmpl-"), created: Int(Date().timeIntervalSince1970), model: chat.model,
                              served: served, promptTokens: prompt.count, wantsLogprobs: wantsLogprobs,
                              jsonObject: chat.wantsJSONObject || schema != nil, account: account, toolFormat: tools?.plan.format)
        if chat.isStreaming {
            return reply.stream(events, includeUsage: chat.includesStreamUsage)
        }
        return try await reply.whole(events)
    }
}

/// Builds the answer to one chat request from the scheduler's events.
struct ChatReply: Sendable {
    let id: String
    let created: Int
    let model: String
    let served: ServedModel
    let promptTokens: Int
    let wantsLogprobs: Bool
    let jsonObject: Bool
    let account: UsageAccount
    /// Set when the request has tools: the answer is split into content and tool calls.
    var toolFormat: ToolCallFormat? = nil

    func wire(_ l: Engine.TokenLogprob) -> OpenAIAPI.TokenLogprob {
        let chosen = served.tokenText(l.token)
        return OpenAIAPI.TokenLogprob(
            token: chosen.text, logprob: Double(l.logprob), bytes: chosen.bytes,
            topLogprobs: l.top.map {
                let t = served.tokenText($0.token)
                return TopLogprob(token: t.text, logprob: Double($0.logprob), bytes: t.bytes)
            })
    }

    /// JSON generation that stopped before its value was whole (no token of the vocabulary
    /// continued it) is said plainly; running out of tokens is `finish_reason: length`.
    func checkJSON(_ result: GenerationResult) throws(APIError) {
        guard jsonObject, result.finishReason != .length else { return }
        if (try? JSONSerialization.jsonObject(with: Data(result.text.utf8), options: [.fragmentsAllowed])) == nil {
            throw APIError.internal("response_format: the model's output is not valid JSON")
        }
    }

    func whole(_ events: AsyncThrowingStream<GenerationEvent, any Error>) async throws(APIError) -> Response {
        var text = ""
        var logprobs: [OpenAIAPI.TokenLogprob] = []
        var final: GenerationResult?
        do {
            for try await event in events {
                switch event {
                case let .text(piece): text += piece
                case let .tokenLogprob(l): logprobs.append(wire(l))
                case let .finished(result): final = result
                case .promptLogprobs: break
                }
            }
        } catch {
            await account.finish(nil)
            throw APIError.internal("generation failed: \(error)")
        }
        await account.finish(final)
        guard let result = final else { throw APIError.internal("generation ended without a result") }
        try checkJSON(result)
        var message = AssistantMessage(content: text)
        var finish = SamplingMapping.finishReason(result.finishReason)
        if let toolFormat {
            let parsed = ToolCallStreamer.parse(text, format: toolFormat)
            if parsed.unfinished {
                // Cut by max_tokens inside a call: the raw text, finish_reason length.
                message = AssistantMessage(content: text)
            } else {
                message = AssistantMessage(content: parsed.content,
                                           toolCalls: parsed.calls.map { ToolCall(id: makeResponseID("call_"), name: $0.name, arguments: $0.arguments) })
                if !parsed.calls.isEmpty { finish = .toolCalls }
            }
        }
        let response = ChatCompletionResponse(
            id: id, created: created, model: model,
            choices: [.init(message: message, finishReason: finish,
                            logprobs: wantsLogprobs ? ChatLogprobs(content: logprobs) : nil)],
            usage: Usage(promptTokens: promptTokens, completionTokens: result.tokens.count))
        return jsonResponse(response)
    }

    func stream(_ events: AsyncThrowingStream<GenerationEvent, any Error>, includeUsage: Bool) -> Response {
        let reply = self
        return Response(status: .ok, headers: sseHeaders(), body: ResponseBody { writer in
            func send(_ chunk: ChatCompletionChunk) async throws {
                try await writer.write(ByteBuffer(string: ServerSentEvents.data(chunk)))
            }
            var finished: GenerationResult?
            // A stream its client cut off still counts (in the background); a finished one is
            // recorded durably before its end marker.
            defer { reply.account.finishLater(finished) }
            try await send(.roleChunk(id: reply.id, created: reply.created, model: reply.model))
            var pendingLogprobs: [OpenAIAPI.TokenLogprob] = []
            var tools = reply.toolFormat.map(ToolCallStreamer.init(format:))
            var calls = 0
            func forward(_ toolEvents: [ToolCallStreamer.Event]) async throws {
                for e in toolEvents {
                    switch e {
                    case let .content(text):
                        try await send(.content(text, id: reply.id, created: reply.created, model: reply.model))
                    case let .call(call):
                        try await send(.toolCalls([ToolCallDelta(index: calls, id: makeResponseID("call_"), name: call.name,
                                                                 arguments: call.arguments)],
                                                  id: reply.id, created: reply.created, model: reply.model))
                        calls += 1
                    }
                }
            }
            do {
                for try await event in events {
                    switch event {
                    case let .tokenLogprob(l):
                        pendingLogprobs.append(reply.wire(l))
                    case let .text(piece):
                        if tools != nil {
                            try await forward(tools!.feed(piece))
                            continue
                        }
                        try await send(.content(piece, id: reply.id, created: reply.created, model: reply.model,
                                                logprobs: reply.wantsLogprobs ? ChatLogprobs(content: pendingLogprobs) : nil))
                        pendingLogprobs = []
                    case let .finished(result):
                        finished = result
                        try reply.checkJSON(result)
                        var reason = SamplingMapping.finishReason(result.finishReason)
                        if tools != nil {
                            let (rest, unfinished) = tools!.finish()
                            if unfinished {
                                // Cut inside a call: what was held back comes as content, finish_reason length.
                                try await send(.content(ToolCallStreamer.heldBack(result.text, format: reply.toolFormat!),
                                                        id: reply.id, created: reply.created, model: reply.model))
                            } else {
                                try await forward(rest)
                                if calls > 0 { reason = .toolCalls }
                            }
                        }
                        try await send(.finish(reason, id: reply.id,
                                               created: reply.created, model: reply.model))
                        if includeUsage {
                            try await send(.usageOnly(Usage(promptTokens: reply.promptTokens, completionTokens: result.tokens.count),
                                                      id: reply.id, created: reply.created, model: reply.model))
                        }
                    case .promptLogprobs: break
                    }
                }
            } catch let error as APIError {
                try await writer.write(ByteBuffer(string: ServerSentEvents.error(error)))
            } catch {
                // Mid-stream failure: an SSE error event, then the end marker.
                try await writer.write(ByteBuffer(string: ServerSentEvents.error(.internal("generation failed: \(error)"))))
            }
            await reply.account.finish(finished)
            try await writer.write(ByteBuffer(string: ServerSentEvents.done))
            try await writer.finish(nil)
        })
    }
}

func sseHeaders() -> HTTPFields {
    var headers = HTTPFields()
    headers[.contentType] = "text/event-stream"
    headers[.cacheControl] = "no-cache"
    return headers
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
