/// An error as OpenAI clients expect it: an HTTP status plus the body
/// `{"error":{"message","type","param","code"}}`. The official Python client maps the
/// status to its exception class and shows `message`, so the message must say what to fix.
public struct APIError: Error, Codable, Sendable, Equatable {
    /// HTTP status; not part of the JSON body.
    public var status: Int
    public var message: String
    public var type: String
    /// The request field at fault (`"temperature"`, `"messages[1].role"`), or null.
    public var param: String?
    /// A stable machine-readable code (`"model_not_found"`), or null.
    public var code: String?
    /// Seconds for a `Retry-After` header on 429 and 503; not part of the JSON body.
    public var retryAfterSeconds: Int?

    public init(status: Int, message: String, type: String, param: String? = nil, code: String? = nil,
                retryAfterSeconds: Int? = nil) {
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
        self.retryAfterSeconds = retryAfterSeconds
    }

    enum OuterKeys: String, CodingKey { case error }
    enum BodyKeys: String, CodingKey { case message, type, param, code }

    /// Decoding a body (e.g. from an upstream server) cannot know the status; it reads as 500
    /// until the caller sets the status it actually received.
    public init(from decoder: any Decoder) throws {
        let body = try decoder.container(keyedBy: OuterKeys.self).nestedContainer(keyedBy: BodyKeys.self, forKey: .error)
        self.status = 500
        self.message = try body.decode(String.self, forKey: .message)
        self.type = try body.decodeIfPresent(String.self, forKey: .type) ?? "server_error"
        self.param = try body.decodeIfPresent(String.self, forKey: .param)
        self.code = try body.decodeIfPresent(String.self, forKey: .code)
        self.retryAfterSeconds = nil
    }

    /// `param` and `code` are written as explicit nulls, as OpenAI does.
    public func encode(to encoder: any Encoder) throws {
        var outer = encoder.container(keyedBy: OuterKeys.self)
        var body = outer.nestedContainer(keyedBy: BodyKeys.self, forKey: .error)
        try body.encode(message, forKey: .message)
        try body.encode(type, forKey: .type)
        try body.encode(param, forKey: .param)
        try body.encode(code, forKey: .code)
    }
}

// MARK: - Named constructors, one per situation the server reports.

extension APIError {
    public static let invalidRequestType = "invalid_request_error"

    /// 400: the request is malformed or a field is out of range.
    public static func invalidRequest(_ message: String, param: String? = nil, code: String? = nil) -> APIError {
        APIError(status: 400, message: message, type: invalidRequestType, param: param, code: code)
    }

    /// 400: a field has a value outside its allowed range or set.
    public static func invalidValue(_ param: String, _ message: String) -> APIError {
        invalidRequest(message, param: param, code: "invalid_value")
    }

    /// 400: the body is not JSON, or a field has the wrong type or is missing.
    public static func invalidBody(_ error: DecodingError) -> APIError {
        func path(_ keys: [any CodingKey]) -> String? {
            var out = ""
            for key in keys {
                if let index = key.intValue { out += "[\(index)]" } else { out += out.isEmpty ? key.stringValue : ".\(key.stringValue)" }
            }
            return out.isEmpty ? nil : out
        }
        switch error {
        case .keyNotFound(let key, let context):
            let full = path(context.codingPath + [key]) ?? key.stringValue
            return invalidRequest("Missing required parameter: '\(full)'.", param: full, code: "missing_required_parameter")
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            let at = path(context.codingPath)
            return invalidRequest("Invalid type for '\(at ?? "body")': \(context.debugDescription)", param: at, code: "invalid_type")
        case .dataCorrupted(let context):
            guard let at = path(context.codingPath) else {
                return invalidRequest("We could not parse the JSON body of your request. Send valid JSON.", code: "invalid_json")
            }
            return invalidRequest("Invalid value for '\(at)': \(context.debugDescription)", param: at, code: "invalid_value")
        @unknown default:
            return invalidRequest("We could not parse the JSON body of your request.", code: "invalid_json")
        }
    }

    /// 404: `model` names nothing this server serves. The message matches OpenAI's wording.
    public static func unknownModel(_ name: String) -> APIError {
        APIError(status: 404, message: "The model `\(name)` does not exist or you do not have access to it.",
                 type: invalidRequestType, param: "model", code: "model_not_found")
    }

    /// 404: no such route or resource.
    public static func notFound(_ what: String) -> APIError {
        APIError(status: 404, message: "Not found: \(what)", type: "not_found_error", code: "not_found")
    }

    /// 400: prompt plus requested output do not fit the context window; both numbers are
    /// in the message so the caller can shorten the prompt by the right amount.
    public static func contextOverflow(promptTokens: Int, limit: Int, maxTokens: Int? = nil,
                                       param: String = "messages") -> APIError {
        var message = "This model's maximum context length is \(limit) tokens. However, your prompt has \(promptTokens) tokens"
        if let maxTokens {
            // The sum is for the message only; max_tokens may be Int.max (an overflow trap would end the server).
            let (total, overflow) = promptTokens.addingReportingOverflow(maxTokens)
            message += " and you requested \(maxTokens) output tokens" + (overflow ? "" : " (\(total) in total)")
        }
        message += ". Please reduce the length of the prompt or of max_tokens."
        return invalidRequest(message, param: param, code: "context_length_exceeded")
    }

    /// 401: no API key, or one that is unknown or revoked. Type and code are OpenAI's own
    /// (`invalid_request_error` / `invalid_api_key`), which clients map to AuthenticationError.
    public static func authentication(_ message: String = "Incorrect or missing API key. Send it as 'Authorization: Bearer KEY'.") -> APIError {
        APIError(status: 401, message: message, type: invalidRequestType, code: "invalid_api_key")
    }

    /// 401: the request carries a key that is unknown or revoked (the key is not echoed).
    public static let invalidAPIKey = authentication(
        "Incorrect API key provided. Check the key, or ask the server's operator for a new one (`aqyl keys create`).")

    /// 401: this server requires a key and the request has none.
    public static let missingAPIKey = authentication(
        "You didn't provide an API key. This server requires one in an Authorization header using Bearer auth "
            + "(Authorization: Bearer YOUR_KEY), or in an x-api-key header.")

    /// 413: the body exceeds the server's size limit.
    public static func requestTooLarge(limitBytes: Int) -> APIError {
        APIError(status: 413, message: "Request body too large: the limit is \(limitBytes) bytes.",
                 type: invalidRequestType, code: "request_too_large")
    }

    /// 429: the API key's rate limit is spent.
    public static func rateLimited(retryAfterSeconds: Int? = nil) -> APIError {
        var message = "Rate limit reached for this API key."
        if let retryAfterSeconds { message += " Try again in \(retryAfterSeconds)s." }
        // OpenAI reports a requests-per-minute limit with type "requests".
        return APIError(status: 429, message: message, type: "requests", code: "rate_limit_exceeded",
                        retryAfterSeconds: retryAfterSeconds)
    }

    /// 500: a fault in the server; the message should not leak internals.
    public static func `internal`(_ message: String = "The server had an error while processing your request.") -> APIError {
        APIError(status: 500, message: message, type: "server_error", code: "internal_error")
    }

    /// 502: an upstream model's server could not be reached or broke the connection.
    public static func badGateway(_ message: String) -> APIError {
        APIError(status: 502, message: message, type: "server_error", code: "upstream_unreachable")
    }

    /// 504: an upstream model's server did not answer in time.
    public static func gatewayTimeout(_ message: String) -> APIError {
        APIError(status: 504, message: message, type: "server_error", code: "upstream_timeout")
    }

    /// 503: every server of an upstream pool is out of rotation (and there is no fallback).
    public static func upstreamUnavailable(_ pool: String, retryAfterSeconds: Int) -> APIError {
        APIError(status: 503, message: "Every server behind model `\(pool)` is down; try again shortly.",
                 type: "server_error", code: "upstream_unavailable", retryAfterSeconds: retryAfterSeconds)
    }

    /// 503: the queue is full; clients retry after `Retry-After`.
    public static func overloaded(retryAfterSeconds: Int? = 1) -> APIError {
        APIError(status: 503, message: "The server is currently overloaded, please try again later.",
                 type: "server_error", code: "overloaded", retryAfterSeconds: retryAfterSeconds)
    }
}
