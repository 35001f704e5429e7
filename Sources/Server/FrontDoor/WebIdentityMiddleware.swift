import Hummingbird
import OpenAIAPI
import Storage

/// On the web chat's own routes (`/`, `/api/*`): the request's browser identity, from
/// its server-issued cookie or freshly issued (with `Set-Cookie` on the response), and
/// the request's caller becomes that identity.
///
/// - New identities are limited per client network (``FrontDoorSettings/webIdentitiesPerHour``):
///   past the limit the page still loads (without a cookie) and `/api` answers 429, so
///   a script that throws its cookies away cannot mint users faster than that.
/// - A cookie in the unsigned format of earlier versions is re-issued, signed, with the
///   same id only when that id owns conversations here (so upgrading loses nobody's
///   history); any other unsigned value is ignored.
/// - Under `--web-chat key` no identity is issued here: `/api` needs a sign-in
///   (`POST /api/session`) and answers 401 without one.
struct WebIdentityMiddleware: RouterMiddleware {
    let identities: WebIdentity
    let access: WebChatAccess
    let limiter: any RateLimitStore
    let network: ClientNetwork
    let perHour: Int
    let conversations: any ConversationRepository
    /// The page itself loads without an identity; the API under `/api` does not.
    let identityRequired: Bool

    func handle(_ request: Request, context: AqylRequestContext,
                next: (Request, AqylRequestContext) async throws -> Response) async throws -> Response {
        var context = context
        if let subject = identities.subject(in: request) {
            switch (subject, access) {
            case let (.browser(id), .open):
                context.caller = Caller(kind: .web, id: id)
                return try await next(request, context)
            case (.apiKey, _):
                // WebCallerMiddleware already checked the key and set the caller (or not, if revoked).
                if context.caller.kind == .web { return try await next(request, context) }
            default:
                break
            }
        }
        guard access == .open else {
            if !identityRequired { return try await next(request, context) }
            return errorResponse(APIError(status: 401, message: "Sign in with an API key to use this chat (POST /api/session).",
                                          type: "invalid_request_error", code: "web_sign_in_required"))
        }
        let subject: WebIdentity.Subject
        if let legacy = WebIdentity.legacyBrowserID(in: request),
           let owned = try? await conversations.conversations(owner: legacy, matching: nil), !owned.isEmpty {
            subject = .browser(legacy)
        } else {
            let key = "new-identity:" + network.key(for: request, context: context)
            let decision: RateLimitDecision
            do { decision = try await limiter.acquire(key: key, capacity: perHour, perSeconds: 3600) } catch {
                if !identityRequired { return try await next(request, context) }
                return errorResponse(.storage(error))
            }
            if case let .limited(retryAfter) = decision {
                if !identityRequired { return try await next(request, context) }
                return errorResponse(APIError(
                    status: 429, message: "Too many new chat identities from your network; try again later.",
                    type: "rate_limit_error", code: "identity_rate_limited", retryAfterSeconds: retryAfter))
            }
            subject = .browser(WebIdentity.newBrowserID())
        }
        guard case let .browser(id) = subject else { return try await next(request, context) }
        context.caller = Caller(kind: .web, id: id)
        var response = try await next(request, context)
        response.headers[values: .setCookie].append(identities.setCookie(subject))
        return response
    }
}
