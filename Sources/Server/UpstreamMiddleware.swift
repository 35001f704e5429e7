import Foundation
import Hummingbird
import OpenAIAPI

/// Sends completion requests for upstream models to their servers; everything
/// else goes on to the local routes untouched.
///
/// A middleware rather than a branch inside each controller, so that every
/// completion route (`/v1/chat/completions`, `/v1/completions`) forwards the same
/// way, including routes a local controller has not registered yet. It runs after
/// ``APIKeyMiddleware``, so forwarded requests are authenticated and rate limited
/// like local ones.
///
/// - Cost: a completion body is read into memory once here (it is bounded by
///   `--body-limit` anyway) and handed on as a buffer.
struct UpstreamMiddleware: RouterMiddleware {
    typealias Context = AqylRequestContext

    let upstreams: UpstreamModels
    let bodyLimit: Int

    /// Request path → the upstream endpoint under its base URL.
    static let forwardedEndpoints = ["/v1/chat/completions": "chat/completions", "/v1/completions": "completions"]

    /// Only the field we route on; the rest of the body is the upstream's to judge.
    struct ModelField: Decodable { let model: String }

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        guard !upstreams.isEmpty, request.method == .post,
              let endpoint = Self.forwardedEndpoints[request.uri.path]
        else { return try await next(request, context) }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: bodyLimit)
        } catch {
            return errorResponse(.requestTooLarge(limitBytes: bodyLimit))
        }
        if let field = try? JSONDecoder().decode(ModelField.self, from: Data(buffer: body)),
           let upstream = upstreams[field.model] {
            // Name the route for metrics even where no local route matched (e.g. /v1/completions
            // on a server without one); the path is one of two fixed strings, so labels stay bounded.
            if context.endpointPath == nil { context.coreContext.endpointPath.value = request.uri.path }
            return await upstream.forward(endpoint: endpoint, body: body, headers: request.headers)
        }
        var request = request
        request.body = RequestBody(buffer: body)
        return try await next(request, context)
    }
}
