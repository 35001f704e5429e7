import Hummingbird

/// On every route: a request without `Authorization` that carries a valid web chat
/// cookie is attributed to that browser (the page calls `/v1/chat/completions` itself).
///
/// It never issues a cookie and never rejects; a request with an API key is left to the
/// key's own middleware.
struct WebCallerMiddleware: RouterMiddleware {
    func handle(_ request: Request, context: AqylRequestContext,
                next: (Request, AqylRequestContext) async throws -> Response) async throws -> Response {
        guard request.headers[.authorization] == nil, let id = WebIdentity.id(in: request) else {
            return try await next(request, context)
        }
        var context = context
        context.caller = Caller(kind: .web, id: id)
        return try await next(request, context)
    }
}
