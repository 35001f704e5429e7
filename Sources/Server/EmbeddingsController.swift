import Engine
import Foundation
import Hummingbird
import OpenAIAPI

/// `POST /v1/embeddings`: one L2-normalized vector per input from the served model's
/// final hidden states (output-normed, as llama.cpp's `result_norm`), pooled as
/// configured (`--pooling`, else the file's `pooling_type`, else mean). Every input is
/// its own scheduler job, so inputs and chat requests share the same batches.
struct EmbeddingsController: Sendable {
    let models: [String: ServedModel]
    let bodyLimit: Int
    let pooling: EmbeddingPooling?

    func addRoutes(to router: RouterGroup<AqylRequestContext>) {
        router.post("/v1/embeddings") { request, _ in
            do {
                return try await embeddings(request)
            } catch let error as APIError {
                return errorResponse(error)
            }
        }
    }

    /// The pooling a model's embeddings use.
    static func pooling(for served: ServedModel, configured: EmbeddingPooling?) -> EmbeddingPooling {
        if let configured { return configured }
        let file = served.model.transformer.file
        if let arch = file.architecture, let value = file.metadata["\(arch).pooling_type"]?.int,
           let pooling = EmbeddingPooling(ggufValue: value) {
            return pooling
        }
        return .mean
    }

    private func embeddings(_ request: Request) async throws(APIError) -> Response {
        let body = try await decodeBody(EmbeddingRequest.self, from: request, limit: bodyLimit)
        try body.validate()
        guard let served = models[body.model] else { throw APIError.unknownModel(body.model) }
        let width = served.model.transformer.config.embedding
        if let d = body.dimensions, d != width {
            throw APIError.invalidValue("dimensions", "'\(body.model)' makes \(width)-dimensional embeddings and was not trained for shortened ones; omit 'dimensions' or pass \(width).")
        }
        let tokenizer = served.model.tokenizer
        let vocabulary = served.model.transformer.config.vocabulary
        var inputs: [[Int32]] = []
        for (i, item) in body.input.items.enumerated() {
            switch item {
            case let .text(text):
                // Input text is data: special-token spellings stay text (llama.cpp's embed does the same).
                inputs.append(tokenizer.encode(text, addSpecial: true, parseSpecial: false))
            case let .tokens(ids):
                if let bad = ids.first(where: { $0 < 0 || $0 >= vocabulary }) {
                    throw APIError.invalidValue("input", "'input[\(i)]': token id \(bad) is outside the model's vocabulary of \(vocabulary) tokens.")
                }
                inputs.append(ids.map { Int32($0) })
            }
            if inputs[i].count > served.contextLength {
                throw APIError.invalidValue("input", "'input[\(i)]' has \(inputs[i].count) tokens; the model's context holds \(served.contextLength).")
            }
        }
        let pooling = Self.pooling(for: served, configured: pooling)
        var streams: [AsyncThrowingStream<GenerationEvent, any Error>] = []
        for tokens in inputs {
            let job = GenerationRequest(prompt: tokens, maxTokens: 0, embedding: pooling)
            streams.append(try served.submit(job, param: "input"))
        }
        var data: [EmbeddingResponse.Item] = []
        let base64 = body.encodingFormat == "base64"
        for (index, events) in streams.enumerated() {
            var vector: [Float]?
            do {
                for try await event in events {
                    if case let .finished(result) = event { vector = result.embedding }
                }
            } catch {
                throw APIError.internal("embedding failed: \(error)")
            }
            guard let vector else { throw APIError.internal("the embedding of input \(index) ended without a vector") }
            data.append(.init(index: index, embedding: EmbeddingVector(vector, base64: base64)))
        }
        let response = EmbeddingResponse(data: data, model: body.model,
                                         usage: .init(promptTokens: inputs.reduce(0) { $0 + $1.count }))
        return jsonResponse(response)
    }
}
