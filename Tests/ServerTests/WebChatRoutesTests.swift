import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Server
import Storage

/// The page, its assets and the browser identity cookie, in-process.
@Suite struct WebChatRoutesTests {
    static let uid = "0123456789abcdef0123456789abcdef"

    @Test func indexHasTheSecurityHeadersAndNoInlineCode() async throws {
        try await TestServer.app().test(.router) { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                let csp = try #require(response.headers[.contentSecurityPolicy])
                #expect(csp == WebChatController.contentSecurityPolicy)
                for directive in ["default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'",
                                  "frame-ancestors 'none'", "base-uri 'none'", "connect-src 'self'", "img-src 'self' data:"] {
                    #expect(csp.contains(directive), "CSP lacks \(directive)")
                }
                #expect(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"))
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
                #expect(response.headers[.referrerPolicy] == "no-referrer")
                let html = String(buffer: response.body)
                #expect(html.contains("<script type=\"module\" src=\"/assets/app.js\"></script>"))
                // Every <script> has a src and an empty body; no style attributes or <style>.
                let scripts = html.components(separatedBy: "<script").dropFirst()
                #expect(!scripts.isEmpty)
                for script in scripts {
                    let tag = script.prefix { $0 != ">" }
                    #expect(tag.contains("src=\"/assets/"))
                    #expect(script.dropFirst(tag.count + 1).hasPrefix("</script>"), "inline script body")
                }
                #expect(!html.contains("style="))
                #expect(!html.contains("<style"))
                #expect(html.range(of: #"\son[a-z]+\s*="#, options: .regularExpression) == nil, "inline event handler")
            }
        }
    }

    @Test(arguments: [
        ("app.js", "text/javascript; charset=utf-8"),
        ("markdown.js", "text/javascript; charset=utf-8"),
        ("i18n.js", "text/javascript; charset=utf-8"),
        ("style.css", "text/css; charset=utf-8"),
        ("icon.svg", "image/svg+xml"),
    ])
    func assetsAreServedWithTheirTypes(name: String, type: String) async throws {
        try await TestServer.app().test(.router) { client in
            try await client.execute(uri: "/assets/\(name)", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == type)
                #expect(response.headers[.cacheControl] == "no-cache")
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
                #expect(response.body.readableBytes > 0)
                // Assets do not issue identities; only / and /api do.
                #expect(response.headers[.setCookie] == nil)
            }
        }
    }

    @Test func etagRevalidationAnswers304() async throws {
        try await TestServer.app().test(.router) { client in
            let etag = try await client.execute(uri: "/assets/app.js", method: .get) { response in
                try #require(response.headers[.eTag])
            }
            #expect(etag.hasPrefix("\"") && etag.hasSuffix("\"") && etag.count == 18)
            for header in [etag, "W/\(etag)", "\"other\", \(etag)", "*"] {
                try await client.execute(uri: "/assets/app.js", method: .get, headers: [.ifNoneMatch: header]) { response in
                    #expect(response.status == .notModified, "If-None-Match: \(header)")
                    #expect(response.body.readableBytes == 0)
                    #expect(response.headers[.eTag] == etag)
                }
            }
            try await client.execute(uri: "/assets/app.js", method: .get, headers: [.ifNoneMatch: "\"stale\""]) { response in
                #expect(response.status == .ok)
            }
        }
    }

    /// An encoded separator is refused before routing (400); the rest are simply not there.
    @Test(arguments: ["/assets/nope.js", "/assets/tests", "/assets/..%2Fpackage.swift", "/assets/", "/assets/../Package.swift"])
    func unknownAssetsAre404(uri: String) async throws {
        try await TestServer.app().test(.router) { client in
            try await client.execute(uri: uri, method: .get) { response in
                #expect(response.status == (uri.contains("%2F") ? .badRequest : .notFound))
            }
        }
    }

    @Test func aCookieIsIssuedWhenAbsentOrInvalid() async throws {
        try await TestServer.app().test(.router) { client in
            for headers: HTTPFields in [[:], [.cookie: "aqyl_uid=not-hex"], [.cookie: "aqyl_uid=\(Self.uid.uppercased())"]] {
                try await client.execute(uri: "/", method: .get, headers: headers) { response in
                    let cookie = try #require(response.headers[.setCookie])
                    let value = try #require(cookie.split(separator: ";").first?.split(separator: "=").last)
                    #expect(WebIdentity(keyBytes: TestServer.webIdentityKey).verify(value) != nil)
                    for part in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=31536000"] {
                        #expect(cookie.contains(part), "Set-Cookie lacks \(part)")
                    }
                }
            }
            try await client.execute(uri: "/api/conversations", method: .get) { response in
                #expect(response.headers[.setCookie] != nil)
            }
            // A valid cookie is kept, not replaced.
            try await client.execute(uri: "/", method: .get, headers: [.cookie: "other=1; " + TestServer.cookie(Self.uid)]) { response in
                #expect(response.headers[.setCookie] == nil)
            }
        }
    }

    @Test func newIdentitiesAreRandomAndWellFormed() {
        let ids = Set((0..<200).map { _ in WebIdentity.newBrowserID() })
        #expect(ids.count == 200)
        #expect(ids.allSatisfy { WebIdentity.isBrowserID($0) })
        #expect(!WebIdentity.isBrowserID("0123456789abcdef0123456789abcde"))
        #expect(!WebIdentity.isBrowserID("0123456789abcdef0123456789abcdeg"))
    }

    /// Only values the server signed verify; a tag from another secret, a changed id, the old
    /// unsigned format and junk do not.
    @Test func onlyIssuedValuesVerify() {
        let signer = WebIdentity(keyBytes: TestServer.webIdentityKey)
        let other = WebIdentity(keyBytes: [UInt8](repeating: 7, count: 32))
        let value = signer.value(for: .browser(Self.uid))
        #expect(signer.verify(value) == .browser(Self.uid))
        #expect(signer.verify(signer.value(for: .apiKey("key_0a1b2c3d"))) == .apiKey("key_0a1b2c3d"))
        #expect(signer.verify(other.value(for: .browser(Self.uid))) == nil)
        let tampered = "f" + value.dropFirst()
        for bad in [Self.uid, tampered, value + "0", String(value.dropLast()), value.uppercased(), "", ".", "a.b",
                    Self.uid + "." + String(repeating: "0", count: 32), String(repeating: "x", count: 5000)] {
            #expect(signer.verify(bad) == nil, "\(bad.prefix(80))")
        }
    }

    @Test func theCallerFollowsOnlyAnIssuedCookieAndOnlyWithoutAuthorization() async throws {
        let config = TestServer.configuration()
        let keys = APIKeyStore(try DataStore(directory: config.dataDirectory))
        let router = Router(context: AqylRequestContext.self)
        router.add(middleware: WebCallerMiddleware(identities: WebIdentity(keyBytes: TestServer.webIdentityKey), keys: keys,
                                                   limiter: RateLimiter(), access: .open))
        router.get("/who") { _, context in "\(context.caller.kind.rawValue):\(context.caller.id)" }
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/who", method: .get, headers: [.cookie: TestServer.cookie(Self.uid)]) { response in
                #expect(String(buffer: response.body) == "web:\(Self.uid)")
            }
            try await client.execute(uri: "/who", method: .get,
                                     headers: [.cookie: TestServer.cookie(Self.uid), .authorization: "Bearer k"]) { response in
                #expect(String(buffer: response.body) == "anonymous:")
            }
            for made in ["aqyl_uid=bad", "aqyl_uid=\(Self.uid)"] {
                try await client.execute(uri: "/who", method: .get, headers: [.cookie: made]) { response in
                    #expect(String(buffer: response.body) == "anonymous:")
                }
            }
        }
    }

    @Test func completionsStillWorkWithTheWebCookie() async throws {
        // The page calls the real /v1/chat/completions with its cookie and no key.
        try await TestServer.app().test(.router) { client in
            let body = #"{"model":"tiny","messages":[{"role":"user","content":"hi"}],"max_tokens":2,"stream":true}"#
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: [.cookie: TestServer.cookie(Self.uid)],
                                     body: ByteBuffer(string: body)) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).hasSuffix("data: [DONE]\n\n"))
            }
        }
    }
}
