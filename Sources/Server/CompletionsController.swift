import Engine
import Foundation
import Hummingbird
import OpenAIAPI

/// `POST /v1/completions`: the legacy text API, including `echo` + `logprobs`
/// (log-likelihood of every prompt token), which lm-evaluation-harness's
/// `local-completions` needs for multiple-choice tasks, and token-id prompts.
/// A batch of prompts is submitted at once, so the scheduler batches them.
struct CompletionsController: Sendable {
    let models: [String: ServedModel]
    let bodyLimit: Int
    let usage: UsageRecorder?

    func addRoutes(to router: RouterGroup<AqylRequestContext>) {
        router.post("/v1/completions") { request, context in
            do {
                return try await completion(request, caller: context.caller)
            } catch let error as APIError {
                return errorResponse(error)
            }
        }
    }

    /// One prompt of the batch, tokenized, with its text for `echo`.
    struct Prompt {
        var tokens: [Int32]
        var text: String
    }

    private func completion(_ request: Request, caller: Caller) async throws(APIError) -> Response {
        let body = try await decodeBody(CompletionRequest.self, from: request, limit: bodyLimit)
        try body.validate()
        guard let served = models[body.model] else { throw APIError.unknownModel(body.model) }
        let tokenizer = served.model.tokenizer
        let prompts: [Prompt] = body.prompt.items.map { item in
            switch item {
            case let .text(text):
                return Prompt(tokens: tokenizer.encode(text, addSpecial: true, parseSpecial: true), text: text)
            case let .tokens(ids):
                let tokens = ids.map { Int32(clamping: $0) }
                return Prompt(tokens: tokens, text: tokenizer.decode(tokens, special: true))
            }
        }
        let limit = served.contextLength
        let maxTokens = body.maxOutputTokens
        // By subtraction: max_tokens may be as large as Int.max (an overflow trap ends the process).
        for p in prompts where maxTokens > limit - p.tokens.count || p.tokens.count >= limit && maxTokens > 0 {
            throw APIError.contextOverflow(promptTokens: p.tokens.count, limit: limit, maxTokens: maxTokens, param: "prompt")
        }
        var biases: [Int: Double] = [:]
        for (key, value) in body.logitBias ?? [:] { if let id = Int(key) { biases[id] = value } }
        let sampling = SamplingMapping.parameters(
            temperature: body.temperature, topP: body.topP, presencePenalty: body.presencePenalty,
            frequencyPenalty: body.frequencyPenalty, seed: body.seed, logitBias: biases)
        let echo = body.echoesPrompt
        var streams: [AsyncThrowingStream<GenerationEvent, any Error>] = []
        let account = UsageAccount(recorder: usage, caller: caller, model: body.model,
                                   promptTokens: prompts.reduce(0) { $0 + $1.tokens.count }, conversation: nil, fromWebScript: false)
        for p in prompts {
            let job = GenerationRequest(prompt: p.tokens, maxTokens: maxTokens, sampling: sampling, stop: body.stopSequences,
                                        logprobs: body.logprobs, promptLogprobs: echo ? body.logprobs : nil)
            do {
                streams.append(try served.submit(job, param: "prompt"))
            } catch {
                if error.status == 503 { await account.finish(nil) }
                throw error
            }
        }
        let id = makeResponseID("cmpl-")
        let created = Int(Date().timeIntervalSince1970)
        if body.isStreaming {
            return stream(streams, prompts: prompts, echo: echo, id: id, created: created, model: body.model,
                          includeUsage: body.streamOptions?.includeUsage ?? false, account: account)
        }
        var choices: [CompletionResponse.Choice] = []
        var usage = Usage(promptTokens: 0, completionTokens: 0)
        for (index, events) in streams.enumerated() {
            let p = prompts[index]
            var text = ""
            var promptLogprobs: [Engine.TokenLogprob?] = []
            var generated: [Engine.TokenLogprob] = []
            var final: GenerationResult?
            do {
                for try await event in events {
                    switch event {
                    case let .text(piece): text += piece
                    case let .promptLogprobs(list): promptLogprobs = list
                    case let .tokenLogprob(l): generated.append(l)
                    case let .finished(result): final = result
                    }
                }
            } catch {
                await account.finish(nil)
                throw APIError.internal("generation failed: \(error)")
            }
            guard let result = final else { throw APIError.internal("generation ended without a result") }
            var logprobs: CompletionLogprobs?
            if body.logprobs != nil {
                logprobs = legacyLogprobs(served: served, prompt: echo ? p : nil, promptLogprobs: promptLogprobs,
                                          generated: generated)
            }
            choices.append(.init(text: echo ? p.text + text : text, index: index, logprobs: logprobs,
                                 finishReason: SamplingMapping.finishReason(result.finishReason)))
            usage = Usage(promptTokens: usage.promptTokens + p.tokens.count,
                          completionTokens: usage.completionTokens + result.tokens.count)
        }
        await account.finish(completionTokens: usage.completionTokens, responded: true)
        return jsonResponse(CompletionResponse(id: id, created: created, model: body.model, choices: choices, usage: usage))
    }

    /// Parallel arrays over (echoed prompt tokens +) generated tokens. Prompt entries
    /// come from `promptLogprobs` (first one null); generated ones from their events.
    private func legacyLogprobs(served: ServedModel, prompt: Prompt?, promptLogprobs: [Engine.TokenLogprob?],
                                generated: [Engine.TokenLogprob]) -> CompletionLogprobs {
        var tokens: [String] = [], values: [Double?] = [], tops: [[String: Double]?] = [], offsets: [Int] = []
        var offset = 0
        func add(_ id: Int32, _ entry: Engine.TokenLogprob?) {
            let text = served.tokenText(id).text
            tokens.append(text)
            offsets.append(offset)
            offset += text.count
            values.append(entry.map { Double($0.logprob) })
            tops.append(entry.map { e in
                var dict: [String: Double] = [:]
                for alt in e.top { dict[served.tokenText(alt.token).text] = dict[served.tokenText(alt.token).text] ?? Double(alt.logprob) }
                return dict
            })
        }
        if let prompt {
            for (i, id) in prompt.tokens.enumerated() { add(id, i < promptLogprobs.count ? promptLogprobs[i] : nil) }
        }
        for entry in generated { add(entry.token, entry) }
        return CompletionLogprobs(tokens: tokens, tokenLogprobs: values, topLogprobs: tops, textOffset: offsets)
    }

    private func stream(_ streams: [AsyncThrowingStream<GenerationEvent, any Error>], prompts: [Prompt], echo: Bool,
                        id: String, created: Int, model: String, includeUsage: Bool, account: UsageAccount) -> Response {
        Response(status: .ok, headers: sseHeaders(), body: ResponseBody { writer in
            func send(_ index: Int, _ text: String, _ finish: OpenAIAPI.FinishReason?) async throws {
                let chunk = CompletionResponse(id: id, created: created, model: model,
                                               choices: [.init(text: text, index: index, finishReason: finish)], usage: nil)
                try await writer.write(ByteBuffer(string: ServerSentEvents.data(chunk)))
            }
            var usage = Usage(promptTokens: 0, completionTokens: 0)
            var responded = false
            defer { account.finishLater(completionTokens: usage.completionTokens, responded: responded) }
            do {
                for (index, events) in streams.enumerated() {
                    if echo { try await send(index, prompts[index].text, nil) }
                    for try await event in events {
                        switch event {
                        case let .text(piece): try await send(index, piece, nil)
                        case let .finished(result):
                            responded = true
                            try await send(index, "", SamplingMapping.finishReason(result.finishReason))
                            usage = Usage(promptTokens: usage.promptTokens + prompts[index].tokens.count,
                                          completionTokens: usage.completionTokens + result.tokens.count)
                        case .promptLogprobs, .tokenLogprob: break
                        }
                    }
                }
                if includeUsage {
                    let chunk = CompletionResponse(id: id, created: created, model: model, choices: [], usage: usage)
                    try await writer.write(ByteBuffer(string: ServerSentEvents.data(chunk)))
                }
            } catch {
                try await writer.write(ByteBuffer(string: ServerSentEvents.error(.internal("generation failed: \(error)"))))
            }
            await account.finish(completionTokens: usage.completionTokens, responded: responded)
            try await writer.write(ByteBuffer(string: ServerSentEvents.done))
            try await writer.finish(nil)
        })
    }
}
