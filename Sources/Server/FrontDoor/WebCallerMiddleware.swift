import Hummingbird
import Storage

/// On every route: a request whose cookie holds a server-issued web identity is
/// attributed to that browser (the page calls `/v1/chat/completions` itself).
/// A cookie the server did not issue is ignored: the request stays anonymous.
///
/// An identity bound to an API key (a browser signed in under `--web-chat key`) is
/// checked against the key store on every request, so revoking the key ends the
/// sign-in at once, and the key's own rate limit applies.
///
/// It never issues a cookie; a request with an API key is left to ``APIKeyMiddleware``,
/// which runs after this one and takes precedence.
struct WebCallerMiddleware: RouterMiddleware {
    let identities: WebIdentity
    let keys: any APIKeyRepository
    let limiter: any RateLimitStore
    let access: WebChatAccess

    func handle(_ request: Request, context: AqylRequestContext,
                next: (Request, AqylRequestContext) async throws -> Response) async throws -> Response {
        guard access != .off, APIKeyMiddleware.presentedKey(request.headers) == nil, let subject = identities.subject(in: request) else {
            return try await next(request, context)
        }
        var context = context
        switch subject {
        case let .browser(id):
            // Under `--web-chat key` only signed-in browsers are callers.
            guard access == .open else { return try await next(request, context) }
            context.caller = Caller(kind: .web, id: id)
        case let .apiKey(keyID):
            let record: APIKeyRecord?
            do { record = try await keys.record(id: keyID) } catch { return errorResponse(.storage(error)) }
            guard let record, !record.isRevoked else { return try await next(request, context) }
            if let refusal = await limiter.refusal(for: record) { return refusal }
            context.caller = Caller(kind: .web, id: keyID, synthetic: record.synthetic)
        }
        return try await next(request, context)
    }
}
