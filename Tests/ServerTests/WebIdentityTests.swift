import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Storage
import Testing
import UsageStats
@testable import Server

/// Web identities are issued by the server, limited per client network, and only they
/// count as web users; `--web-chat key|off` (issue 13).
@Suite struct WebIdentityTests {
    typealias Client = any TestClientProtocol

    static let chatBody = #"{"model":"tiny","messages":[{"role":"user","content":"Сәлем"}],"max_tokens":2,"temperature":0}"#

    /// A chat request as the page's script sends it.
    static func chat(_ client: Client, cookie: String?, headers extra: HTTPFields = [:]) async throws -> HTTPResponse.Status {
        var headers: HTTPFields = [UsageAccount.clientHeader: "web-chat", .contentType: "application/json"]
        if let cookie { headers[.cookie] = cookie }
        headers.append(contentsOf: extra)
        return try await client.execute(uri: "/v1/chat/completions", method: .post, headers: headers,
                                        body: ByteBuffer(string: chatBody)) { $0.status }
    }

    /// `aqyl_uid=VALUE` from a response's Set-Cookie, if it has one.
    static func issuedCookie(_ response: TestResponse) -> String? {
        response.headers[values: .setCookie].first { $0.hasPrefix("aqyl_uid=") }
            .flatMap { $0.split(separator: ";").first.map(String.init) }
    }

    static func pageCookie(_ client: Client) async throws -> String? {
        try await client.execute(uri: "/", method: .get) { issuedCookie($0) }
    }

    static func today(_ client: Client) async throws -> DayFigures {
        try await client.execute(uri: "/stats/figures", method: .get) { response in
            let report = try JSONDecoder().decode(UsageReport.self, from: Data(buffer: response.body))
            return try #require(report.days.last)
        }
    }

    /// The "600,000 users" problem inside our own numbers: made-up cookies are anonymous.
    @Test func mintedCookiesDoNotRaiseThePublishedUserFigures() async throws {
        try await TestServer.app().test(.router) { client in
            // Five real browsers (issued by the page), so the figure is published, not "<5".
            for _ in 0..<5 {
                let cookie = try #require(try await Self.pageCookie(client))
                do { let status = try await Self.chat(client, cookie: cookie); #expect(status == .ok) }
            }
            let before = try await Self.today(client)
            #expect(before.dau == .value(5))
            // A script minting cookies: bare hex (the old format), fake tags, another server's tags.
            let other = WebIdentity(keyBytes: [UInt8](repeating: 9, count: 32))
            var minted: [String] = []
            for i in 0..<4 { minted.append("aqyl_uid=" + String(format: "%032x", 0xdead0000 + i)) }
            for i in 0..<3 { minted.append("aqyl_uid=" + String(format: "%032x", 0xbeef0000 + i) + "." + String(repeating: "0", count: 32)) }
            for i in 0..<3 { minted.append("aqyl_uid=" + other.value(for: .browser(String(format: "%032x", 0xf00d0000 + i)))) }
            for cookie in minted { do { let status = try await Self.chat(client, cookie: cookie); #expect(status == .ok) } }
            let day = try await Self.today(client)
            #expect(day.dau == .value(5))
            #expect(day.userMessages == .value(5))
            #expect(day.excluded["anonymous"] == 10)
        }
    }

    /// A script that throws its cookie away and asks the page for a new one gets at most
    /// the per-network quota of identities; past it, the page loads without one and `/api` says 429.
    @Test func newIdentitiesAreLimitedPerClientNetwork() async throws {
        let app = try await buildApplication(configuration: TestServer.configuration { $0.frontDoor.webIdentitiesPerHour = 3 },
                                       models: [ModelEntry(id: "tiny", model: try #require(TestServer.tinyModel))])
        try await app.test(.router) { client in
            var issued = 0
            for _ in 0..<10 {
                let cookie = try await client.execute(uri: "/", method: .get) { response in
                    #expect(response.status == .ok)
                    return Self.issuedCookie(response)
                }
                if cookie != nil { issued += 1 }
                _ = try await Self.chat(client, cookie: cookie)
            }
            #expect(issued == 3)
            try await client.execute(uri: "/api/conversations", method: .get) { response in
                #expect(response.status == .tooManyRequests)
                #expect(response.headers[.retryAfter] != nil)
                #expect(Self.issuedCookie(response) == nil)
            }
            let day = try await Self.today(client)
            #expect(day.dau == .suppressed)  // 3 users at most, never 10
            #expect(day.userMessages == .suppressed)
            #expect(day.excluded["anonymous"] == 7)
        }
    }

    @Test func aWebIdentityHasItsOwnRateLimit() async throws {
        let app = try await buildApplication(configuration: TestServer.configuration { $0.frontDoor.webRateLimitPerMinute = 2 },
                                       models: [ModelEntry(id: "tiny", model: try #require(TestServer.tinyModel))])
        try await app.test(.router) { client in
            let cookie = TestServer.cookie(String(repeating: "c", count: 32))
            do { let status = try await Self.chat(client, cookie: cookie); #expect(status == .ok) }
            do { let status = try await Self.chat(client, cookie: cookie); #expect(status == .ok) }
            do { let status = try await Self.chat(client, cookie: cookie); #expect(status == .tooManyRequests) }
            // Another browser is not affected.
            do { let status = try await Self.chat(client, cookie: TestServer.cookie(String(repeating: "d", count: 32))); #expect(status == .ok) }
        }
    }

    @Test func anonymousTrafficCanBeLimitedPerNetwork() async throws {
        let app = try await buildApplication(configuration: TestServer.configuration { $0.frontDoor.anonymousRateLimitPerMinute = 2 },
                                       models: [ModelEntry(id: "tiny", model: try #require(TestServer.tinyModel))])
        try await app.test(.router) { client in
            do { let status = try await Self.chat(client, cookie: nil); #expect(status == .ok) }
            do { let status = try await Self.chat(client, cookie: "aqyl_uid=" + String(repeating: "e", count: 32)); #expect(status == .ok) }
            do { let status = try await Self.chat(client, cookie: nil); #expect(status == .tooManyRequests) }
        }
    }

    /// `--web-chat key`: the page asks for a key; only signed-in browsers chat, and revoking
    /// the key ends the sign-in at once.
    @Test func keyModeNeedsASignIn() async throws {
        let config = TestServer.configuration { $0.frontDoor.webChat = .key }
        let keys = APIKeyStore(try DataStore(directory: config.dataDirectory))
        let (record, secret) = try await keys.create(name: "aigerim")
        let app = try await buildApplication(configuration: config, models: [ModelEntry(id: "tiny", model: try #require(TestServer.tinyModel))])
        try await app.test(.router) { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(Self.issuedCookie(response) == nil)
            }
            try await client.execute(uri: "/api/conversations", method: .get) { response in
                #expect(response.status == .unauthorized)
                let code = try APIKeyTests.error(response)["code"] as? String
                #expect(code == "web_sign_in_required")
            }
            // A browser identity from open mode is not a sign-in.
            try await client.execute(uri: "/api/conversations", method: .get,
                                     headers: [.cookie: TestServer.cookie(String(repeating: "f", count: 32))]) { #expect($0.status == .unauthorized) }
            do { let status = try await Self.chat(client, cookie: TestServer.cookie(String(repeating: "f", count: 32))); #expect(status == .ok) }  // anonymous: keys optional
            try await client.execute(uri: "/api/session", method: .post, headers: [.contentType: "application/json"],
                                     body: ByteBuffer(string: #"{"api_key":"aqyl-wrong"}"#)) { #expect($0.status == .unauthorized) }
            let cookie = try await client.execute(uri: "/api/session", method: .post, headers: [.contentType: "application/json"],
                                                  body: ByteBuffer(string: #"{"api_key":"\#(secret)"}"#)) { response in
                #expect(response.status == .ok)
                #expect(!String(buffer: response.body).contains(secret))
                return Self.issuedCookie(response)
            }
            let signedIn = try #require(cookie)
            #expect(!signedIn.contains(secret))
            try await client.execute(uri: "/api/conversations", method: .get, headers: [.cookie: signedIn]) { #expect($0.status == .ok) }
            do { let status = try await Self.chat(client, cookie: signedIn); #expect(status == .ok) }
            let day = try await Self.today(client)
            #expect(day.channels["web"] != nil)
            try await keys.revoke(id: record.id)
            try await client.execute(uri: "/api/conversations", method: .get, headers: [.cookie: signedIn]) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/api/session", method: .delete) { response in
                #expect(response.status == .noContent)
                #expect(response.headers[values: .setCookie].contains { $0.hasPrefix("aqyl_uid=;") && $0.contains("Max-Age=0") })
            }
        }
    }

    @Test func keyModeWithRequiredKeysRefusesAnonymousChat() async throws {
        let config = TestServer.configuration {
            $0.frontDoor.webChat = .key
            $0.apiKeyRequired = true
        }
        let keys = APIKeyStore(try DataStore(directory: config.dataDirectory))
        let (_, secret) = try await keys.create(name: "web")
        let app = try await buildApplication(configuration: config, models: [ModelEntry(id: "tiny", model: try #require(TestServer.tinyModel))])
        try await app.test(.router) { client in
            do { let status = try await Self.chat(client, cookie: TestServer.cookie(String(repeating: "f", count: 32))); #expect(status == .unauthorized) }
            let signedIn = try await client.execute(uri: "/api/session", method: .post, headers: [.contentType: "application/json"],
                                                    body: ByteBuffer(string: #"{"api_key":"\#(secret)"}"#)) { Self.issuedCookie($0) }
            do { let status = try await Self.chat(client, cookie: try #require(signedIn)); #expect(status == .ok) }
        }
    }

    @Test func offModeServesNoWebChat() async throws {
        let app = try await buildApplication(configuration: TestServer.configuration { $0.frontDoor.webChat = .off },
                                       models: [ModelEntry(id: "tiny", model: try #require(TestServer.tinyModel))])
        try await app.test(.router) { client in
            for uri in ["/", "/api/conversations", "/assets/app.js"] {
                try await client.execute(uri: uri, method: .get) { #expect($0.status == .notFound, "\(uri)") }
            }
            // An issued-looking cookie is no caller either: the request is anonymous.
            do { let status = try await Self.chat(client, cookie: TestServer.cookie(String(repeating: "a", count: 32))); #expect(status == .ok) }
            let day = try await Self.today(client)
            #expect(day.excluded["anonymous"] == 1)
        }
    }

    /// Upgrading keeps history: an unsigned cookie of earlier versions that owns
    /// conversations is re-issued, signed, with the same id; any other is not.
    @Test func aLegacyCookieWithConversationsIsReissued() async throws {
        let config = TestServer.configuration()
        let legacy = String(repeating: "7", count: 32)
        let store = ConversationStore(try DataStore(directory: config.dataDirectory))
        _ = try await store.createConversation(owner: legacy, ConversationDraft(title: "Ескі", model: nil, systemPrompt: nil, temperature: nil))
        let app = try await buildApplication(configuration: config, models: [ModelEntry(id: "tiny", model: try #require(TestServer.tinyModel))])
        try await app.test(.router) { client in
            let cookie = try await client.execute(uri: "/api/conversations", method: .get, headers: [.cookie: "aqyl_uid=\(legacy)"]) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("Ескі"))
                return Self.issuedCookie(response)
            }
            #expect(cookie == TestServer.cookie(legacy))
            let other = try await client.execute(uri: "/api/conversations", method: .get,
                                                 headers: [.cookie: "aqyl_uid=" + String(repeating: "8", count: 32)]) { Self.issuedCookie($0) }
            #expect(other != nil && other != TestServer.cookie(String(repeating: "8", count: 32)))
        }
    }

    @Test(arguments: [("203.0.113.7", "v4:203.0.113"), ("2001:db8:1:2:3:4:5:6", "v6:2001:db8:1:2"), ("garbage", "other")])
    func clientNetworks(address: String, network: String) {
        #expect(ClientNetwork.network(of: address) == network)
    }
}
