import Foundation
import HTTPTypes
import Hummingbird
import OpenAIAPI
import Storage

/// Authenticates a presented API key, enforces its rate limit, and names the caller.
///
/// - A request that carries a key (`Authorization: Bearer KEY` or `x-api-key: KEY`)
///   must carry a live one under `--api-key-required` (401 otherwise). When keys are
///   optional, a key the server does not know counts as no key, as llama-server and
///   vLLM do: OpenAI clients always send one (often a placeholder like "unused"), and
///   the request is then anonymous — in the usage statistics too.
/// - Whether a route needs a key at all is not decided here, from a path, but by
///   ``APIAccessMiddleware`` on the API's route group: authorization cannot depend on
///   how a path is spelled.
/// - A key's requests-per-minute limit is enforced here, before any work is done.
struct APIKeyMiddleware: RouterMiddleware {
    typealias Context = AqylRequestContext

    let keys: any APIKeyRepository
    let limiter: any RateLimitStore
    let required: Bool

    static let apiKeyHeader = HTTPField.Name("x-api-key")!

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let secret = Self.presentedKey(request.headers) else { return try await next(request, context) }
        let record: APIKeyRecord?
        do {
            record = try await keys.authenticate(secret: secret)
        } catch {
            context.logger.error("API key lookup failed: \(error)")
            return errorResponse(.storage(error))
        }
        guard let record else {
            if required { return errorResponse(.invalidAPIKey) }
            return try await next(request, context)
        }
        if let refusal = await limiter.refusal(for: record) { return refusal }
        var context = context
        context.caller = Caller(kind: .apiKey, id: record.id, synthetic: record.synthetic)
        return try await next(request, context)
    }

    /// The key a request presents, if any. `Authorization` with another scheme
    /// (Basic, from a proxy) counts as no key.
    static func presentedKey(_ headers: HTTPFields) -> String? {
        if let authorization = headers[.authorization] {
            let parts = authorization.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
            if parts.count >= 1, parts[0].lowercased() == "bearer" {
                return parts.count == 2 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
            }
        }
        return headers[apiKeyHeader]?.trimmingCharacters(in: .whitespaces)
    }
}

/// On the API's route group (the OpenAI routes and the tokenizer endpoints): who may
/// call a model. It runs whenever one of those handlers runs, whatever the spelling
/// of the path that reached it.
///
/// - A live API key: always (its limit was taken by ``APIKeyMiddleware``).
/// - A server-issued web identity (the chat page's own calls): unless `--web-chat key`
///   demands a signed-in browser, at most `webRateLimit` requests a minute each.
/// - Anyone else: refused under `--api-key-required`; otherwise limited per client
///   network when `--anonymous-rate-limit` is set.
struct APIAccessMiddleware: RouterMiddleware {
    typealias Context = AqylRequestContext

    let required: Bool
    let limiter: any RateLimitStore
    let webRateLimit: Int?
    let anonymousRateLimit: Int?
    let network: ClientNetwork

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            switch context.caller.kind {
            case .apiKey:
                break
            case .web:
                if let limit = webRateLimit,
                   case let .limited(retryAfter) = try await limiter.acquire(key: "web:" + context.caller.id, perMinute: limit) {
                    return errorResponse(Self.tooMany("this chat", limit: limit, retryAfter: retryAfter))
                }
            case .anonymous:
                if required { return errorResponse(.missingAPIKey) }
                if let limit = anonymousRateLimit,
                   case let .limited(retryAfter) = try await limiter.acquire(
                       key: "anonymous:" + network.key(for: request, context: context), perMinute: limit) {
                    return errorResponse(Self.tooMany("your network without an API key", limit: limit, retryAfter: retryAfter))
                }
            }
        } catch {
            return errorResponse(.storage(error))
        }
        return try await next(request, context)
    }

    static func tooMany(_ who: String, limit: Int, retryAfter: Int) -> APIError {
        APIError(status: 429, message: "Rate limit reached: at most \(limit) requests a minute from \(who). Try again in \(retryAfter)s.",
                 type: "requests", code: "rate_limit_exceeded", retryAfterSeconds: retryAfter)
    }
}
