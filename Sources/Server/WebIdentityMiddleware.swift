import Hummingbird

/// On the web chat's own routes (`/`, `/api/*`): every request gets a browser identity,
/// from its cookie or freshly issued (with `Set-Cookie` on the response), and the
/// request's caller becomes that identity.
struct WebIdentityMiddleware: RouterMiddleware {
    func handle(_ request: Request, context: AqylRequestContext,
                next: (Request, AqylRequestContext) async throws -> Response) async throws -> Response {
        var context = context
        if let id = WebIdentity.id(in: request) {
            context.caller = Caller(kind: .web, id: id)
            return try await next(request, context)
        }
        let id = WebIdentity.newID()
        context.caller = Caller(kind: .web, id: id)
        var response = try await next(request, context)
        response.headers[values: .setCookie].append(WebIdentity.setCookie(id))
        return response
    }
}
