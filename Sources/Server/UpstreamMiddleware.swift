import Foundation
import HTTPTypes
import Hummingbird
import OpenAIAPI

/// Sends completion requests for upstream models to their pools; everything else goes
/// on to the local routes untouched.
///
/// A middleware rather than a branch inside each controller, so that every completion
/// route (`/v1/chat/completions`, `/v1/completions`) forwards the same way, including
/// routes a local controller has not registered yet. It runs after the key and access
/// middleware, so forwarded requests are authenticated, rate limited and counted like
/// local ones (the web chat's included).
///
/// - Cost: a completion body is read into memory once here (it is bounded by
///   `--body-limit` anyway) and handed on as a buffer.
struct UpstreamMiddleware: RouterMiddleware {
    typealias Context = AqylRequestContext

    let upstreams: UpstreamModels
    let bodyLimit: Int
    let usage: UsageRecorder?
    let metrics: ServerMetrics

    /// Request path → the upstream endpoint under its base URL.
    static let forwardedEndpoints = ["/v1/chat/completions": "chat/completions", "/v1/completions": "completions"]
    /// Set on answers the pool's local fallback model gave, naming it.
    static let fallbackHeader = HTTPField.Name("X-Aqyl-Fallback")!

    /// Only the fields we route on; the rest of the body is the upstream's to judge.
    struct RoutingFields: Decodable {
        struct StreamOptions: Decodable {
            var includeUsage: Bool?
            enum CodingKeys: String, CodingKey { case includeUsage = "include_usage" }
        }

        var model: String
        var stream: Bool?
        var streamOptions: StreamOptions?
        enum CodingKeys: String, CodingKey { case model, stream, streamOptions = "stream_options" }
    }

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        guard !upstreams.isEmpty, request.method == .post,
              let endpoint = Self.forwardedEndpoints[request.uri.path]
        else { return try await next(request, context) }
        let arrived = ContinuousClock.now
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: bodyLimit)
        } catch {
            return errorResponse(.requestTooLarge(limitBytes: bodyLimit))
        }
        var request = request
        guard let fields = try? JSONDecoder().decode(RoutingFields.self, from: Data(buffer: body)),
              let pool = upstreams[fields.model]
        else {
            request.body = RequestBody(buffer: body)
            return try await next(request, context)
        }
        // Name the route for metrics even where no local route matched (e.g. /v1/completions
        // on a server without one); the path is one of two fixed strings, so labels stay bounded.
        if context.endpointPath == nil { context.coreContext.endpointPath.value = request.uri.path }
        let streaming = fields.stream ?? false
        let account = UsageAccount(recorder: usage, caller: context.caller, model: pool.name, promptTokens: 0,
                                   conversation: request.headers[UsageAccount.conversationHeader],
                                   fromWebScript: request.headers[UsageAccount.clientHeader] == "web-chat")
        let relay = UpstreamRelay(pool: pool.name, clientWantsUsage: fields.streamOptions?.includeUsage ?? false,
                                  account: account, metrics: metrics, arrived: arrived)
        let remote = pool.members[0].spec.remoteModel
        let outgoing = Self.rewriting(body, model: remote == pool.name ? nil : remote, askUsage: streaming)
        let forwarded = UpstreamPool.Forwarded(endpoint: endpoint, body: outgoing, streaming: streaming,
                                               accept: request.headers[.accept], relay: relay)
        switch await pool.forward(forwarded) {
        case let .response(response):
            return response
        case let .fallback(local):
            // The local model answers under its own name, and the header says why.
            request.body = RequestBody(buffer: Self.rewriting(body, model: local, askUsage: false))
            var response = try await next(request, context)
            response.headers[Self.fallbackHeader] = local
            return response
        }
    }

    /// The body with `model` replaced and, for streams, `stream_options.include_usage` set.
    /// Untouched when neither is needed, so every field reaches the upstream byte for byte;
    /// otherwise re-encoded, which may reorder keys.
    static func rewriting(_ body: ByteBuffer, model: String?, askUsage: Bool) -> ByteBuffer {
        guard model != nil || askUsage,
              var object = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any]
        else { return body }
        if let model { object["model"] = model }
        if askUsage {
            var options = object["stream_options"] as? [String: Any] ?? [:]
            if options["include_usage"] as? Bool == true, model == nil { return body }
            options["include_usage"] = true
            object["stream_options"] = options
        }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.withoutEscapingSlashes]) else { return body }
        return ByteBuffer(data: data)
    }
}
