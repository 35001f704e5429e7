import Engine
import Foundation
import Hummingbird
import Models
import OpenAIAPI
import Templates

/// One model served under an id, with its continuous-batching scheduler.
/// A LoRA adapter is served as its own id that shares its base model's
/// scheduler (and so its weights and batches) and adds its adapter stack.
final class ServedModel: Sendable {
    let id: String
    let model: LoadedModel
    let created: Int
    let scheduler: BatchScheduler
    /// The base model's id when this is an adapter.
    let parent: String?
    let adapters: AdapterStack?
    /// The operator let message contents carry control tokens (`--special-in-content`).
    let specialTokensInContent: Bool

    init(id: String, model: LoadedModel, configuration: ServerConfiguration, observer: SchedulerObserver = SchedulerObserver()) {
        self.id = id
        self.model = model
        created = Int(Date().timeIntervalSince1970)
        let schedule = BatchScheduler.Configuration(slots: configuration.parallel, queueLimit: configuration.queueLimit,
                                                    contextLength: model.contextLength(requested: configuration.context))
        scheduler = BatchScheduler(model: model.transformer, tokenizer: model.tokenizer, threads: configuration.threads,
                                   configuration: schedule, observer: observer)
        parent = nil
        adapters = nil
        specialTokensInContent = configuration.specialTokensInContent.contains(id)
    }

    /// `base` with a LoRA adapter stack, served as `id`.
    init(id: String, adapters: AdapterStack, base: ServedModel) {
        self.id = id
        model = base.model
        created = base.created
        scheduler = base.scheduler
        parent = base.id
        self.adapters = adapters
        specialTokensInContent = base.specialTokensInContent
    }

    var modelObject: ModelObject { ModelObject(id: id, created: created, parent: parent) }

    var contextLength: Int { scheduler.contextLength }

    /// A conversation as prompt tokens through the model's chat template; `param` names
    /// the request field a rendering failure is blamed on.
    func chatPrompt(_ messages: [Templates.ChatMessage], tools: [TemplateValue] = [], param: String) throws(APIError) -> [Int32] {
        guard let formatter = model.chatFormatter else {
            throw APIError.internal("the model's chat template cannot be used: \(model.chatTemplateError ?? "unknown")")
        }
        do {
            return try formatter.tokens(messages, tokenizer: model.tokenizer, tools: tools, specialTokensInContent: specialTokensInContent)
        } catch {
            throw APIError.invalidRequest("the conversation cannot be rendered with the model's chat template: \(error)", param: param)
        }
    }

    /// Queues a generation; refusals become OpenAI errors (503 with Retry-After when busy).
    func submit(_ request: GenerationRequest, param: String) throws(APIError) -> AsyncThrowingStream<GenerationEvent, any Error> {
        var request = request
        request.adapters = adapters
        do {
            return try scheduler.submit(request)
        } catch {
            switch error {
            case .queueFull, .shuttingDown:
                throw .overloaded(retryAfterSeconds: 2)
            case let .promptTooLong(tokens, context):
                throw .contextOverflow(promptTokens: tokens, limit: context, maxTokens: request.maxTokens, param: param)
            case .emptyPrompt:
                throw .invalidValue(param, "The prompt is empty (it has no tokens).")
            case let .tokenOutOfVocabulary(token, vocabulary):
                throw .invalidValue(param, "Token id \(token) is outside the model's vocabulary of \(vocabulary) tokens.")
            }
        }
    }

    /// The token's text for logprobs: its bytes as UTF-8 (lossy when a token ends mid-character; `bytes` has the raw ones).
    func tokenText(_ id: Int32) -> (text: String, bytes: [UInt8]) {
        let bytes = model.tokenizer.pieceBytes(id, special: true)
        return (String(decoding: bytes, as: UTF8.self), bytes)
    }
}

/// Request fields → engine sampling, with OpenAI's defaults (temperature 1, only top_p filters).
enum SamplingMapping {
    static func parameters(temperature: Double?, topP: Double?, presencePenalty: Double?, frequencyPenalty: Double?,
                           seed: Int?, logitBias: [Int: Double]) -> SamplingParameters {
        var p = SamplingParameters()
        p.temperature = Float(temperature ?? 1)
        p.topP = Float(topP ?? 1)
        p.topK = 0
        p.minP = 0
        p.presencePenalty = Float(presencePenalty ?? 0)
        p.frequencyPenalty = Float(frequencyPenalty ?? 0)
        p.penaltyWindow = -1
        p.seed = seed.map { UInt64(bitPattern: Int64($0)) }
        p.logitBias = Dictionary(logitBias.map { (Int32(clamping: $0.key), Float($0.value)) }, uniquingKeysWith: { a, _ in a })
        return p
    }

    static func finishReason(_ reason: Engine.FinishReason) -> OpenAIAPI.FinishReason {
        switch reason {
        case .stop, .cancelled: return .stop
        case .length: return .length
        }
    }
}

/// Reads a request body up to the limit (413 past it) and decodes it (400 when malformed).
func decodeBody<T: Decodable>(_ type: T.Type, from request: Request, limit: Int) async throws(APIError) -> T {
    let body: ByteBuffer
    do {
        body = try await request.body.collect(upTo: limit)
    } catch {
        throw APIError.requestTooLarge(limitBytes: limit)
    }
    return try WireJSON.decode(T.self, from: Data(buffer: body))
}

/// A unique id like OpenAI's (`chatcmpl-…`, `cmpl-…`).
func makeResponseID(_ prefix: String) -> String {
    prefix + String(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(24))
}
