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
        let messages = body.conversation().map {
            Templates.ChatMessage(role: $0.role, content: $0.text,
                                  toolCalls: $0.toolCalls.map { .init(id: $0.id, name: $0.function.name, arguments: $0.function.arguments) },
                                  toolCallID: $0.toolCallID)
        }
        let tools = try ToolPlanning.plan(try body.compiledTools(), choice: body.toolChoice, parallel: body.parallelToolCalls, served: served)
        let prompt = try served.chatPrompt(messages, tools: tools?.templateTools ?? [], param: "input")
        let limit = served.contextLength
        let requested = body.maxOutputTokens
        if prompt.count >= limit || (requested ?? 1) > limit - prompt.count {
            throw APIError.contextOverflow(promptTokens: prompt.count, limit: limit, maxTokens: requested, param: "input")
        }
        let sampling = SamplingMapping.parameters(temperature: body.temperature, topP: body.topP, presencePenalty: nil,
                                                  frequencyPenalty: nil, seed: nil, logitBias: [:])
        let schema = try body.outputSchema()
        let job = GenerationRequest(prompt: prompt, maxTokens: requested ?? (limit - prompt.count), sampling: sampling,
                                    jsonObject: body.wantsJSONObject, jsonSchema: schema, toolCalls: tools?.plan)
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
                                  json: body.wantsJSONObject || schema != nil, toolFormat: tools?.plan.format)
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
    /// Set when the request has tools: calls become `function_call` items.
    let toolFormat: ToolCallFormat?

    func object(status: String, output: [ResponseObject.OutputItem], result: GenerationResult?) -> ResponseObject {
        ResponseObject(
            id: id, createdAt: created, status: status, model: request.model, output: output,
            usage: result.map { .init(inputTokens: promptTokens, outputTokens: $0.tokens.count) },
            incompleteDetails: result?.finishReason == .length ? .init(reason: "max_output_tokens") : nil, request: request)
    }

    func message(_ text: String, status: String) -> ResponseObject.OutputItem {
        .message(.init(id: messageID, status: status, content: [.init(text: text)]))
    }

    static func call(_ call: ParsedToolCall) -> ResponseObject.OutputItem {
        .functionCall(.init(id: makeResponseID("fc_"), callId: makeResponseID("call_"), name: call.name, arguments: call.arguments,
                            status: "completed"))
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
        let cut = result.finishReason == .length
        var output = [message(text, status: cut ? "incomplete" : "completed")]
        if let toolFormat {
            let parsed = ToolCallStreamer.parse(text, format: toolFormat)
            if !parsed.unfinished {
                output = (parsed.content.map { [message($0, status: "completed")] } ?? []) + parsed.calls.map(Self.call)
            }
        }
        return jsonResponse(object(status: cut ? "incomplete" : "completed", output: output, result: result))
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
            let started = reply.object(status: "in_progress", output: [], result: nil)
            try await send("response.created") { $0.response = started }
            try await send("response.in_progress") { $0.response = started }

            // Output items in order; the message opens with its first text.
            var output: [ResponseObject.OutputItem] = []
            var messageIndex: Int?
            var text = ""
            func addText(_ piece: String) async throws {
                if messageIndex == nil {
                    messageIndex = output.count
                    output.append(reply.message("", status: "in_progress"))
                    let index = messageIndex!
                    try await send("response.output_item.added") { $0.outputIndex = index; $0.item = output[index] }
                    try await send("response.content_part.added") {
                        $0.itemId = reply.messageID; $0.outputIndex = index; $0.contentIndex = 0; $0.part = .init(text: "")
                    }
                }
                text += piece
                let index = messageIndex!
                try await send("response.output_text.delta") {
                    $0.itemId = reply.messageID; $0.outputIndex = index; $0.contentIndex = 0; $0.delta = piece; $0.logprobs = []
                }
            }
            func closeMessage(status: String) async throws {
                guard let index = messageIndex else { return }
                messageIndex = nil
                output[index] = reply.message(text, status: status)
                try await send("response.output_text.done") {
                    $0.itemId = reply.messageID; $0.outputIndex = index; $0.contentIndex = 0; $0.text = text; $0.logprobs = []
                }
                try await send("response.content_part.done") {
                    $0.itemId = reply.messageID; $0.outputIndex = index; $0.contentIndex = 0; $0.part = .init(text: text)
                }
                try await send("response.output_item.done") { $0.outputIndex = index; $0.item = output[index] }
            }
            func addCall(_ call: ParsedToolCall) async throws {
                try await closeMessage(status: "completed")
                let index = output.count
                let item = ResponseReply.call(call)
                guard case let .functionCall(f) = item else { return }
                var opening = f
                opening.arguments = ""
                opening.status = "in_progress"
                output.append(item)
                try await send("response.output_item.added") { $0.outputIndex = index; $0.item = .functionCall(opening) }
                try await send("response.function_call_arguments.delta") { $0.itemId = f.id; $0.outputIndex = index; $0.delta = f.arguments }
                try await send("response.function_call_arguments.done") {
                    $0.itemId = f.id; $0.outputIndex = index; $0.arguments = f.arguments; $0.name = f.name
                }
                try await send("response.output_item.done") { $0.outputIndex = index; $0.item = item }
            }
            func forward(_ toolEvents: [ToolCallStreamer.Event]) async throws {
                for e in toolEvents {
                    switch e {
                    case let .content(piece): try await addText(piece)
                    case let .call(call): try await addCall(call)
                    }
                }
            }

            var tools = reply.toolFormat.map(ToolCallStreamer.init(format:))
            do {
                for try await event in events {
                    switch event {
                    case let .text(piece):
                        if tools != nil { try await forward(tools!.feed(piece)) } else { try await addText(piece) }
                    case let .finished(result):
                        finished = result
                        try reply.checkJSON(result)
                        if tools != nil {
                            let (rest, unfinished) = tools!.finish()
                            if unfinished {
                                try await addText(ToolCallStreamer.heldBack(result.text, format: reply.toolFormat!))
                            } else {
                                try await forward(rest)
                            }
                        }
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
            let cut = finished?.finishReason == .length
            if output.isEmpty { try await addText("") }  // an empty answer is still one (empty) message
            try await closeMessage(status: cut ? "incomplete" : "completed")
            let done = reply.object(status: cut ? "incomplete" : "completed", output: output, result: finished)
            try await send(cut ? "response.incomplete" : "response.completed") { $0.response = done }
            try await writer.finish(nil)
        })
    }
}
