import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import UsageStats
@testable import Server
@testable import StatsPage
import Reports

/// `GET /stats` in-process: headers, languages, the empty state, and figures from real
/// chat requests (web identities are counted, anonymous requests are excluded).
@Suite struct StatsPageTests {
    /// What the chat page's script sends: its cookie and its client header.
    static func webHeaders(_ n: Int) -> HTTPFields {
        [.cookie: TestServer.cookie(uid(n)), UsageAccount.clientHeader: "web-chat"]
    }

    /// A valid browser identity per `n` in 0..<16.
    static func uid(_ n: Int) -> String { String(repeating: "a", count: 31) + String(n, radix: 16) }

    static func chat(_ client: some TestClientProtocol, headers: HTTPFields = [:]) async throws {
        let body = #"{"model":"tiny","messages":[{"role":"user","content":"hi"}],"max_tokens":2,"temperature":0}"#
        try await client.execute(uri: "/v1/chat/completions", method: .post, headers: headers, body: ByteBuffer(string: body)) {
            #expect($0.status == .ok)
        }
    }

    static func page(_ client: some TestClientProtocol, _ uri: String = "/stats", headers: HTTPFields = [:]) async throws
        -> (status: HTTPResponse.Status, headers: HTTPFields, html: String) {
        try await client.execute(uri: uri, method: .get, headers: headers) { ($0.status, $0.headers, String(buffer: $0.body)) }
    }

    @Test func theEmptyPageHasTheChatsSecurityHeadersAndTheVerification() async throws {
        try await TestServer.app().test(.router) { client in
            let page = try await Self.page(client)
            #expect(page.status == .ok)
            #expect(page.headers[.contentSecurityPolicy] == WebChatController.contentSecurityPolicy)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.headers[.xContentTypeOptions] == "nosniff")
            #expect(page.headers[.contentLanguage] == "kk")
            #expect(page.html.contains(StatsPageText.kazakh.emptyLog))
            #expect(!page.html.contains("<svg"))
            #expect(!page.html.contains("<script") && !page.html.contains("style="))
            let key = try await client.execute(uri: "/stats/key", method: .get) {
                String(buffer: $0.body).trimmingCharacters(in: .whitespacesAndNewlines)
            }
            let note = try await client.execute(uri: "/stats/checkpoint", method: .get) { String(buffer: $0.body) }
            #expect(page.html.contains(HTMLText.escape(key)))
            #expect(page.html.contains(#"<pre class="checkpoint">\#(HTMLText.escape(note))</pre>"#))
            // The test client names the host `localhost`; a real browser's Host header is used the same way.
            #expect(page.html.contains("aqyl stats verify --url &#39;http://localhost&#39; --trust &#39;\(HTMLText.escape(key))&#39;"))
        }
    }

    @Test func webUsersAreCountedAndAnonymousRequestsExcluded() async throws {
        try await TestServer.app().test(.router) { client in
            for n in 0..<6 { try await Self.chat(client, headers: Self.webHeaders(n)) }
            try await Self.chat(client)
            // Without the page's header a web identity's request is excluded too.
            try await Self.chat(client, headers: [.cookie: TestServer.cookie(Self.uid(15))])
            let page = try await Self.page(client, "/stats?lang=en")
            #expect(page.status == .ok)
            #expect(page.html.contains("<dt>Daily active (DAU)</dt><dd>6</dd>"))
            #expect(page.html.contains("<dt>Messages</dt><dd>6</dd>"))
            #expect(page.html.contains(#"<svg class="chart""#))
            #expect(page.html.contains(">Anonymous</text>"))
            #expect(page.html.contains(">Without the page&#39;s script</text>"))
            #expect(page.html.contains(">tiny</text>"))
            #expect(!page.html.contains("<script") && !page.html.contains("style="))
            #expect(page.html.contains("first 8 entries"))
        }
    }

    @Test func fewUsersShowAsLessThanFive() async throws {
        try await TestServer.app().test(.router) { client in
            for n in 0..<2 { try await Self.chat(client, headers: Self.webHeaders(n)) }
            let page = try await Self.page(client, "/stats?lang=ru")
            #expect(page.html.contains("<dt>\(StatsPageText.russian.dau)</dt><dd>&lt;5</dd>"))
            #expect(page.html.contains(HTMLText.escape(StatsPageText.russian.suppressedNote)))
        }
    }

    @Test(arguments: [
        ("/stats", [:], "kk"), ("/stats?lang=ru", [:], "ru"), ("/stats/?lang=en", [:], "en"),
        ("/stats", [.acceptLanguage: "ru-RU,ru;q=0.9,en;q=0.8"], "ru"), ("/stats", [.acceptLanguage: "en-US"], "en"),
        ("/stats?lang=kk", [.acceptLanguage: "en-US"], "kk"), ("/stats", [.acceptLanguage: "de"], "kk"),
    ] as [(String, HTTPFields, String)])
    func theLanguageFollowsTheQueryThenTheBrowser(uri: String, headers: HTTPFields, language: String) async throws {
        try await TestServer.app().test(.router) { client in
            let page = try await Self.page(client, uri, headers: headers)
            #expect(page.status == .ok)
            #expect(page.html.contains("<html lang=\"\(language)\">"))
            #expect(page.headers[.contentLanguage] == language)
        }
    }

    @Test func badDatesAre400WithTheDefaultRange() async throws {
        try await TestServer.app().test(.router) { client in
            let page = try await Self.page(client, "/stats?lang=en&from=2025-02-30")
            #expect(page.status == .badRequest)
            #expect(page.html.contains(HTMLText.escape(StatsPageText.english.badRange)))
            #expect(page.headers[.contentSecurityPolicy] != nil)
            let good = try await Self.page(client, "/stats?lang=en&from=2025-01-01&to=2025-01-31")
            #expect(good.status == .ok)
            #expect(good.html.contains("2025-01-01 to 2025-01-31"))
            // The language links keep the chosen dates.
            #expect(good.html.contains(#"href="/stats?lang=ru&amp;from=2025-01-01&amp;to=2025-01-31""#))
        }
    }
}
