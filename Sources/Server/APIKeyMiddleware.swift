import Foundation
import HTTPTypes
import Hummingbird
import OpenAIAPI
import Storage

/// Checks API keys and their rate limits, and names the caller in the context.
///
/// - With `--api-key-required`, a request that carries a key (`Authorization: Bearer KEY`
///   or `x-api-key: KEY`) must carry a live one (401 otherwise). When keys are optional,
///   a key the server does not know counts as no key, as llama-server and vLLM do:
///   OpenAI clients always send one (often a placeholder like "unused"), and the
///   request is then anonymous — in the usage statistics too.
/// - With `--api-key-required`, a request without a key is refused only on the API
///   routes (``requiresKey(path:)``). The web chat (`/`, `/assets/*`, `/api/*`,
///   `/stats*`) identifies browsers by its cookie instead, and `/health` and
///   `/metrics` stay open for load balancers and scrapers, which carry no keys;
///   keep the port off the public internet if the metrics must stay private.
/// - A key's requests-per-minute limit is enforced here, before any work is done.
struct APIKeyMiddleware: RouterMiddleware {
    typealias Context = AqylRequestContext

    let keys: APIKeyStore
    let limiter: RateLimiter
    let required: Bool

    static let apiKeyHeader = HTTPField.Name("x-api-key")!

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let secret = Self.presentedKey(request.headers) else {
            // The web chat's own browsers (a valid cookie, set by WebCallerMiddleware) use the
            // API without a key: the chat page is public even when the API needs keys.
            if required && context.caller.kind != .web && Self.requiresKey(path: request.uri.path) {
                return errorResponse(.missingAPIKey)
            }
            return try await next(request, context)
        }
        let record: APIKeyRecord?
        do {
            record = try await keys.authenticate(secret: secret)
        } catch {
            context.logger.error("API key lookup failed: \(error)")
            return errorResponse(.internal())
        }
        guard let record else {
            if required { return errorResponse(.invalidAPIKey) }
            return try await next(request, context)
        }
        if let limit = record.rateLimitPerMinute,
           case let .limited(retryAfter) = limiter.acquire(key: record.id, perMinute: limit) {
            return errorResponse(.rateLimited(retryAfterSeconds: retryAfter))
        }
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

    /// Routes that need a key under `--api-key-required`: the OpenAI API and the
    /// vLLM-style tokenizer endpoints.
    static func requiresKey(path: String) -> Bool {
        // The router ignores a trailing slash, so this must too.
        let path = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        return path == "/v1" || path.hasPrefix("/v1/")
            || ["/tokenize", "/detokenize", "/tokenizer_info"].contains(path)
    }
}
