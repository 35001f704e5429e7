import Engine
import Foundation
import Hummingbird
import OpenAIAPI
import Templates

/// `POST /v1/responses`: the Responses API, stateless. The conversation (`instructions`
/// and `input`) goes through the model's chat template and the same scheduler as chat;
/// `text.format` takes `json_object` and `json_schema` like chat's `response_format`.
/// Streaming sends the API's typed events, ending with `response.completed` (or
/// `response.incomplete` when `max_output_tokens` cut the answer).
struct ResponsesController: Sendable {
    let models: [String: ServedModel]
    let bodyLimit: Int
    let usage: UsageRecorder?

    func addRoutes(to router: RouterGroup<AqylRequestContext>) {
        router.post("/v1/responses") { request, context in
            do {
                return try await respond(request, caller: context.caller)
            } catch let error as APIError {
                return errorResponse(error)
            }
        }
    }

    private func respond(_ request: Request, caller: Caller) async throws(APIError) -> Response {
        let body = try await decodeBody(ResponsesRequest.self, from: request, limit: bodyLimit)
        try body.validate()
        guard let served = models[body.model] else { throw APIError.unknownModel(body.model) }
        let messages = body.turns().map { Templates.ChatMessage(role: $0.role, content: $0.text) }
        let prompt = try served.chatPrompt(messages, param: "input")
        let limit = served.contextLength
        let requested = body.maxOutputTokens
        if prompt.count >= limit || (requested ?? 1) > limit - prompt.count {
            throw APIError.contextOverflow(promptTokens: prompt.count, limit: limit, maxTokens: requested, param: "input")
        }
        let sampling = SamplingMapping.parameters(temperature: body.temperature, topP: body.topP, presencePenalty: nil,
                                                  frequencyPenalty: nil, seed: nil, logitBias: [:])
        let schema = try body.outputSchema()
        let job = GenerationRequest(prompt: prompt, maxTokens: requested ?? (limit - prompt.count), sampling: sampling,
                                    jsonObject: body.wantsJSONObject, jsonSchema: schema)
        let account = UsageAccount(recorder: usage, caller: caller, model: body.model, promptTokens: prompt.count,
                                   conversation: request.headers[UsageAccount.conversationHeader], fromWebScript: false)
        let events: AsyncThrowingStream<GenerationEvent, any Error>
        do {
            events = try served.submit(job, param: "input")
        } catch {
            if error.status == 503 { await account.finish(nil) }
            throw error
        }
        let reply = ResponseReply(request: body, promptTokens: prompt.count, account: account,
                                  json: body.wantsJSONObject || schema != nil)
        return body.isStreaming ? reply.stream(events) : try await reply.whole(events)
    }
}

/// Builds one response from the scheduler's events.
struct ResponseReply: Sendable {
    let id = makeResponseID("resp_")
    let messageID = makeResponseID("msg_")
    let created = Int(Date().timeIntervalSince1970)
    let request: ResponsesRequest
    let promptTokens: Int
    let account: UsageAccount
    let json: Bool

    func object(status: String, text: String?, result: GenerationResult?) -> ResponseObject {
        let cut = result?.finishReason == .length
        let output = text.map { [ResponseObject.OutputMessage(id: messageID, status: cut ? "incomplete" : "completed",
                                                               content: [.init(text: $0)])] } ?? []
        return ResponseObject(
            id: id, createdAt: created, status: status, model: request.model, output: output,
            usage: result.map { .init(inputTokens: promptTokens, outputTokens: $0.tokens.count) },
            incompleteDetails: cut ? .init(reason: "max_output_tokens") : nil, request: request)
    }

    /// A JSON format that stopped before its value was whole is said plainly.
    func checkJSON(_ result: GenerationResult) throws(APIError) {
        guard json, result.finishReason != .length else { return }
        if (try? JSONSerialization.jsonObject(with: Data(result.text.utf8), options: [.fragmentsAllowed])) == nil {
            throw APIError.internal("text.format: the model's output is not valid JSON")
        }
    }

    func whole(_ events: AsyncThrowingStream<GenerationEvent, any Error>) async throws(APIError) -> Response {
        var text = ""
        var final: GenerationResult?
        do {
            for try await event in events {
                if case let .text(piece) = event { text += piece }
                if case let .finished(result) = event { final = result }
            }
        } catch {
            await account.finish(nil)
            throw APIError.internal("generation failed: \(error)")
        }
        await account.finish(final)
        guard let result = final else { throw APIError.internal("generation ended without a result") }
        try checkJSON(result)
        let status = result.finishReason == .length ? "incomplete" : "completed"
        return jsonResponse(object(status: status, text: text, result: result))
    }

    func stream(_ events: AsyncThrowingStream<GenerationEvent, any Error>) -> Response {
        let reply = self
        return Response(status: .ok, headers: sseHeaders(), body: ResponseBody { writer in
            var sequence = 0
            func send(_ type: String, _ fill: (inout ResponseStreamEvent) -> Void = { _ in }) async throws {
                var event = ResponseStreamEvent(type: type, sequenceNumber: sequence)
                fill(&event)
                sequence += 1
                try await writer.write(ByteBuffer(string: event.frame))
            }
            var finished: GenerationResult?
            defer { reply.account.finishLater(finished) }
            let started = reply.object(status: "in_progress", text: nil, result: nil)
            try await send("response.created") { $0.response = started }
            try await send("response.in_progress") { $0.response = started }
            let empty = ResponseObject.OutputMessage(id: reply.messageID, status: "in_progress", content: [])
            try await send("response.output_item.added") { $0.outputIndex = 0; $0.item = empty }
            try await send("response.content_part.added") {
                $0.itemId = reply.messageID; $0.outputIndex = 0; $0.contentIndex = 0; $0.part = .init(text: "")
            }
            var text = ""
            do {
                for try await event in events {
                    switch event {
                    case let .text(piece):
                        text += piece
                        try await send("response.output_text.delta") {
                            $0.itemId = reply.messageID; $0.outputIndex = 0; $0.contentIndex = 0; $0.delta = piece; $0.logprobs = []
                        }
                    case let .finished(result):
                        finished = result
                        try reply.checkJSON(result)
                    case .tokenLogprob, .promptLogprobs: break
                    }
                }
            } catch {
                let apiError = error as? APIError ?? .internal("generation failed: \(error)")
                var event = ResponseStreamEvent(type: "error", sequenceNumber: sequence)
                event.message = apiError.message
                event.code = apiError.code
                event.param = apiError.param
                try await writer.write(ByteBuffer(string: event.frame))
                await reply.account.finish(finished)
                try await writer.finish(nil)
                return
            }
            await reply.account.finish(finished)
            let done = reply.object(status: finished?.finishReason == .length ? "incomplete" : "completed", text: text, result: finished)
            try await send("response.output_text.done") {
                $0.itemId = reply.messageID; $0.outputIndex = 0; $0.contentIndex = 0; $0.text = text; $0.logprobs = []
            }
            try await send("response.content_part.done") {
                $0.itemId = reply.messageID; $0.outputIndex = 0; $0.contentIndex = 0; $0.part = .init(text: text)
            }
            try await send("response.output_item.done") { $0.outputIndex = 0; $0.item = done.output.first }
            try await send(done.status == "completed" ? "response.completed" : "response.incomplete") { $0.response = done }
            try await writer.finish(nil)
        })
    }
}
