import Evaluation
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Servers that cannot echo prompt logprobs are named unsuitable for
/// log-likelihood tasks instead of being scored at chance.
@Suite struct EvalUnsuitableEndpointTests {
    /// llama-server's real answers: `echo` ignored, logprobs in the chat-style `content` list;
    /// `/tokenize` reading another field name answers an empty list.
    enum Behaviour: Sendable { case rejectsEcho, ignoresEcho, emptyTokenize }

    /// A minimal OpenAI-compatible server: llama-server's answer to `echo` (400),
    /// or a server that silently ignores it.
    static func app(_ behaviour: Behaviour) -> some ApplicationProtocol {
        let router = Router()
        router.get("/v1/models") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"],
                     body: .init(byteBuffer: ByteBuffer(string: #"{"object":"list","data":[{"id":"m","object":"model"}]}"#)))
        }
        // One token per character, so context and continuation split cleanly.
        router.post("/tokenize") { request, _ in
            let body = try await request.body.collect(upTo: 1 << 20)
            let prompt = ((try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any])?["prompt"] as? String ?? ""
            let tokens = behaviour == .emptyTokenize ? [] : prompt.unicodeScalars.map { Int($0.value % 1000) }
            let json = String(decoding: try JSONSerialization.data(withJSONObject: ["tokens": tokens, "count": tokens.count]), as: UTF8.self)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json)))
        }
        router.post("/v1/completions") { _, _ in
            switch behaviour {
            case .rejectsEcho:
                return Response(status: .badRequest, headers: [.contentType: "application/json"],
                                 body: .init(byteBuffer: ByteBuffer(string: #"{"error":{"message":"Only no echo is supported"}}"#)))
            case .ignoresEcho, .emptyTokenize:
                let body = #"{"choices":[{"index":0,"text":"x","logprobs":{"tokens":["x"],"token_logprobs":[-0.5],"top_logprobs":[{"x":-0.5}]}}]}"#
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
            }
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    @Test(arguments: [Behaviour.rejectsEcho, .ignoresEcho, .emptyTokenize])
    func unsuitableForLoglikelihood(_ behaviour: Behaviour) async throws {
        try await Self.app(behaviour).test(.live) { client in
            let port = try #require(client.port)
            let backend = try await EndpointBackend.connect(url: "http://127.0.0.1:\(port)/v1", model: nil, apiKey: nil)
            let scorer = LoglikelihoodScorer(backend: backend)
            await #expect {
                _ = try await scorer.loglikelihood(context: "Сұрақ: 2+2?\nЖауап:", continuation: " 4")
            } throws: { error in
                guard case EvaluationError.endpointCannotScore = error else { return false }
                return "\(error)".contains("unsuitable for log-likelihood tasks")
            }
        }
    }
}
