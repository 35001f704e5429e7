import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import OpenAIAPI

/// A model served by forwarding to another OpenAI-compatible server.
///
/// The request body goes up with only `model` changed; the response comes back as
/// it arrives, chunk by chunk, with the upstream's status: SSE streams are not
/// buffered, and the upstream's own errors (400, 429 with Retry-After) reach the
/// client unchanged. Only failures to talk to the upstream at all become ours:
/// 502 when it cannot be reached, 504 when it does not answer in time.
struct UpstreamModel: Sendable {
    let spec: UpstreamModelSpec
    let client: HTTPClient
    /// When this server started serving it (for `/v1/models`).
    let created: Int

    /// Response headers worth passing on; hop-by-hop and length headers are the server's own business.
    static let passedHeaders = ["content-type", "cache-control", "retry-after", "x-request-id", "openai-processing-ms"]

    var modelObject: ModelObject { ModelObject(id: spec.id, created: created, ownedBy: "upstream") }

    /// Forwards a POST to `endpoint` (`"chat/completions"`, `"completions"`) under the
    /// upstream's base URL and returns its response, streaming.
    func forward(endpoint: String, body: ByteBuffer, headers: HTTPFields) async -> Response {
        var request = HTTPClientRequest(url: spec.baseURL + "/" + endpoint)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        if let accept = headers[.accept] { request.headers.add(name: "accept", value: accept) }
        if let key = spec.apiKey { request.headers.add(name: "authorization", value: "Bearer \(key)") }
        request.body = .bytes(Self.rewritingModel(in: body, to: spec.remoteModel, from: spec.id))

        let upstream: HTTPClientResponse
        do {
            // No overall deadline: a stream may run for minutes. The client's connect
            // and read (idle) timeouts bound the waiting instead.
            upstream = try await client.execute(request, deadline: .distantFuture)
        } catch {
            return errorResponse(gatewayError(error))
        }
        var fields = HTTPFields()
        for name in Self.passedHeaders {
            if let value = upstream.headers.first(name: name), let field = HTTPField.Name(name) { fields[field] = value }
        }
        let isEventStream = fields[.contentType]?.hasPrefix("text/event-stream") ?? false
        let model = spec.id
        let bodyStream = upstream.body
        return Response(status: HTTPResponse.Status(code: Int(upstream.status.code)), headers: fields, body: ResponseBody { writer in
            var chunks = bodyStream.makeAsyncIterator()
            while true {
                let chunk: ByteBuffer?
                do {
                    chunk = try await chunks.next()
                } catch {
                    // The status is sent; a stream can still tell the client in-band, a JSON body cannot.
                    guard isEventStream else { throw error }
                    let message = "The upstream server for model `\(model)` broke off the stream: \(error)"
                    try await writer.write(ByteBuffer(string: ServerSentEvents.error(.badGateway(message))))
                    try await writer.write(ByteBuffer(string: ServerSentEvents.done))
                    break
                }
                guard let chunk else { break }
                try await writer.write(chunk)
            }
            try await writer.finish(nil)
        })
    }

    /// 504 for timeouts, 502 for everything else that kept us from a response.
    func gatewayError(_ error: any Error) -> APIError {
        let timeouts: [HTTPClientError] = [.connectTimeout, .readTimeout, .deadlineExceeded]
        if let error = error as? HTTPClientError, timeouts.contains(error) {
            return .gatewayTimeout("The upstream server for model `\(spec.id)` did not answer in time.")
        }
        if let error = error as? ChannelError, case .connectTimeout = error {
            return .gatewayTimeout("The upstream server for model `\(spec.id)` did not accept a connection in time.")
        }
        return .badGateway("The upstream server for model `\(spec.id)` could not be reached: \(error)")
    }

    /// The body with `model` replaced. Untouched when the names agree, so every other
    /// field reaches the upstream byte for byte; otherwise re-encoded, which may reorder keys.
    static func rewritingModel(in body: ByteBuffer, to remote: String, from local: String) -> ByteBuffer {
        guard remote != local,
              var object = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any]
        else { return body }
        object["model"] = remote
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.withoutEscapingSlashes]) else { return body }
        return ByteBuffer(data: data)
    }
}
