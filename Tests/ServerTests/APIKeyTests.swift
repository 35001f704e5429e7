import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Server
import Storage

/// Keys, `--api-key-required` and per-key rate limits, through the real middleware stack.
@Suite struct APIKeyTests {
    /// An app over a fresh data directory, and the key store of that directory.
    static func app(required: Bool = false) async throws -> (some ApplicationProtocol, APIKeyStore) {
        let config = TestServer.configuration { $0.apiKeyRequired = required }
        let keys = APIKeyStore(try DataStore(directory: config.dataDirectory))
        guard let model = TestServer.tinyModel else { throw TestServerError.modelMissing }
        return (try await buildApplication(configuration: config, models: [ModelEntry(id: "tiny", model: model)]), keys)
    }

    static func bearer(_ secret: String) -> HTTPFields { [.authorization: "Bearer \(secret)"] }

    static func error(_ response: TestResponse) throws -> [String: Any] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
        return try #require(object["error"] as? [String: Any])
    }

    @Test func aBadKeyIs401WhenKeysAreRequired() async throws {
        let (app, _) = try await Self.app(required: true)
        try await app.test(.router) { client in
            try await client.execute(uri: "/v1/models", method: .get, headers: Self.bearer("aqyl-nope")) { response in
                #expect(response.status == .unauthorized)
                let error = try Self.error(response)
                #expect(error["type"] as? String == "invalid_request_error")
                #expect(error["code"] as? String == "invalid_api_key")
                #expect(!(error["message"] as? String ?? "").contains("aqyl-nope"))
            }
        }
    }

    /// OpenAI clients always send a key, often a placeholder: with optional keys it is ignored.
    @Test func aPlaceholderKeyIsIgnoredWhenKeysAreOptional() async throws {
        let (app, _) = try await Self.app()
        try await app.test(.router) { client in
            try await client.execute(uri: "/v1/models", method: .get, headers: Self.bearer("unused")) { #expect($0.status == .ok) }
            try await client.execute(uri: "/v1/models", method: .get) { #expect($0.status == .ok) }
        }
    }

    @Test func aRevokedKeyIs401() async throws {
        let (app, keys) = try await Self.app(required: true)
        let (record, secret) = try await keys.create(name: "soon gone")
        try await app.test(.router) { client in
            try await client.execute(uri: "/v1/models", method: .get, headers: Self.bearer(secret)) { #expect($0.status == .ok) }
            try await keys.revoke(id: record.id)
            try await client.execute(uri: "/v1/models", method: .get, headers: Self.bearer(secret)) { response in
                #expect(response.status == .unauthorized)
                let value = try Self.error(response)
                #expect(value["code"] as? String == "invalid_api_key")
            }
        }
    }

    @Test func requiredKeysGuardTheAPIButNotHealthOrMetrics() async throws {
        let (app, keys) = try await Self.app(required: true)
        let secret = try await keys.create(name: "ci").secret
        try await app.test(.router) { client in
            for uri in ["/v1/models", "/tokenize", "/detokenize", "/tokenizer_info"] {
                try await client.execute(uri: uri, method: ["/v1/models", "/tokenizer_info"].contains(uri) ? .get : .post) { response in
                    #expect(response.status == .unauthorized, "\(uri)")
                    let value = try Self.error(response)
                    #expect(value["type"] as? String == "invalid_request_error")
                }
            }
            let chat = ByteBuffer(string: #"{"model":"tiny","messages":[{"role":"user","content":"hi"}],"max_tokens":2}"#)
            try await client.execute(uri: "/v1/chat/completions", method: .post, body: chat) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/health", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/metrics", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/v1/models", method: .get, headers: Self.bearer(secret)) { #expect($0.status == .ok) }
            try await client.execute(uri: "/v1/models", method: .get, headers: [APIKeyMiddleware.apiKeyHeader: secret]) { #expect($0.status == .ok) }
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: Self.bearer(secret), body: chat) {
                #expect($0.status == .ok)
            }
        }
    }

    @Test func theRateLimitGives429WithRetryAfter() async throws {
        let (app, keys) = try await Self.app()
        let limited = try await keys.create(name: "slow", rateLimitPerMinute: 3).secret
        let free = try await keys.create(name: "fast").secret
        try await app.test(.router) { client in
            for _ in 0..<3 {
                try await client.execute(uri: "/v1/models", method: .get, headers: Self.bearer(limited)) { #expect($0.status == .ok) }
            }
            try await client.execute(uri: "/v1/models", method: .get, headers: Self.bearer(limited)) { response in
                #expect(response.status == .tooManyRequests)
                // 3 a minute refill one every 20 s.
                let retry = try #require(response.headers[.retryAfter].flatMap(Int.init))
                #expect((1...20).contains(retry))
                let error = try Self.error(response)
                #expect(error["type"] as? String == "requests" && error["code"] as? String == "rate_limit_exceeded")
            }
            // Limits are per key; unlimited keys are unaffected.
            for _ in 0..<5 {
                try await client.execute(uri: "/v1/models", method: .get, headers: Self.bearer(free)) { #expect($0.status == .ok) }
            }
        }
    }

    @Test func theMiddlewareNamesTheCaller() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-caller-\(UUID().uuidString)")
        let keys = APIKeyStore(try DataStore(directory: dir))
        let (record, secret) = try await keys.create(name: "bot", synthetic: true)
        let router = Router(context: AqylRequestContext.self)
        router.add(middleware: APIKeyMiddleware(keys: keys, limiter: RateLimiter(), required: false))
        router.get("/who") { _, context in "\(context.caller.kind.rawValue) \(context.caller.id) \(context.caller.synthetic)" }
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/who", method: .get, headers: Self.bearer(secret)) { response in
                #expect(String(buffer: response.body) == "api \(record.id) true")
            }
            try await client.execute(uri: "/who", method: .get) { #expect(String(buffer: $0.body) == "anonymous  false") }
        }
    }

    @Test(arguments: [
        (["Authorization": "Bearer abc"], "abc"),
        (["Authorization": "bearer  abc "], "abc"),
        (["Authorization": "Bearer"], ""),
        (["Authorization": "Basic dXNlcjpw"], nil),
        (["x-api-key": "abc"], "abc"),
        ([:], nil),
    ] as [([String: String], String?)])
    func presentedKey(headers: [String: String], expected: String?) {
        var fields = HTTPFields()
        for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
        #expect(APIKeyMiddleware.presentedKey(fields) == expected)
    }
}
