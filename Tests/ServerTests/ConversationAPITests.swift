import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Server

/// `/api` in-process: CRUD, search, ownership, truncation, feedback and errors.
@Suite struct ConversationAPITests {
    /// A browser: its cookie goes with every request.
    struct Browser {
        let uid: String
        var headers: HTTPFields { [.cookie: TestServer.cookie(uid), .contentType: "application/json"] }

        static let alice = Browser(uid: String(repeating: "a1", count: 16))
        static let bob = Browser(uid: String(repeating: "b2", count: 16))
    }

    typealias Client = any TestClientProtocol

    /// Everything else in a query is percent-encoded, as browsers do with Cyrillic.
    static let asciiLetters = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

    static func object(_ buffer: ByteBuffer) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: buffer)) as? [String: Any])
    }

    /// Sends a request and returns status and the decoded JSON object (empty for no body).
    @discardableResult
    static func call(_ client: Client, _ browser: Browser, _ method: HTTPRequest.Method, _ uri: String,
                     _ body: String? = nil) async throws -> (HTTPResponse.Status, [String: Any]) {
        try await client.execute(uri: uri, method: method, headers: browser.headers,
                                 body: body.map { ByteBuffer(string: $0) }) { response in
            let json = response.body.readableBytes == 0 ? [:] : try object(response.body)
            return (response.status, json)
        }
    }

    static func create(_ client: Client, _ browser: Browser, _ body: String = "{}") async throws -> String {
        let (status, json) = try await call(client, browser, .post, "/api/conversations", body)
        #expect(status == .created)
        return try #require(json["id"] as? String)
    }

    @Test func conversationCrud() async throws {
        try await TestServer.app().test(.router) { client in
            let (status, created) = try await Self.call(client, .alice, .post, "/api/conversations",
                #"{"title":"  Сабақ  ","model":"tiny","system_prompt":"Be brief","temperature":0.7}"#)
            #expect(status == .created)
            let id = try #require(created["id"] as? String)
            #expect(created["title"] as? String == "Сабақ")
            #expect(created["system_prompt"] as? String == "Be brief")
            #expect(created["temperature"] as? Double == 0.7)
            #expect(created["messages"] as? [Any] != nil)
            #expect(created["created_at"] as? Int != nil)

            var (code, json) = try await Self.call(client, .alice, .patch, "/api/conversations/\(id)",
                                                   #"{"title":"Renamed","temperature":null}"#)
            #expect(code == .ok)
            #expect(json["title"] as? String == "Renamed")
            #expect(json["temperature"] is NSNull)
            #expect(json["system_prompt"] as? String == "Be brief")

            (code, json) = try await Self.call(client, .alice, .get, "/api/conversations")
            let list = try #require(json["data"] as? [[String: Any]])
            #expect(list.count == 1)
            #expect(Set(list[0].keys) == ["id", "title", "model", "updated_at"])
            #expect(list[0]["title"] as? String == "Renamed")

            (code, _) = try await Self.call(client, .alice, .delete, "/api/conversations/\(id)")
            #expect(code == .noContent)
            (code, json) = try await Self.call(client, .alice, .get, "/api/conversations/\(id)")
            #expect(code == .notFound)
            #expect((json["error"] as? [String: Any])?["message"] is String)
        }
    }

    @Test func messagesTruncateAndListNewestFirst() async throws {
        try await TestServer.app().test(.router) { client in
            let older = try await Self.create(client, .alice)
            let newer = try await Self.create(client, .alice)
            for (role, content) in [("user", "Қайырлы таң"), ("assistant", "Сәлем!"), ("user", "Екінші"), ("assistant", "Жауап")] {
                let (status, message) = try await Self.call(client, .alice, .post, "/api/conversations/\(older)/messages",
                                                            #"{"role":"\#(role)","content":"\#(content)","model":"tiny"}"#)
                #expect(status == .created)
                #expect(message["role"] as? String == role)
                #expect(message["feedback"] is NSNull)
            }
            // Writing to the older conversation moved it to the top; its first user message named it.
            var (_, json) = try await Self.call(client, .alice, .get, "/api/conversations")
            let ids = (json["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
            #expect(ids == [older, newer])
            #expect((json["data"] as? [[String: Any]])?.first?["title"] as? String == "Қайырлы таң")

            var code: HTTPResponse.Status
            (code, _) = try await Self.call(client, .alice, .delete, "/api/conversations/\(older)/messages?from=2")
            #expect(code == .noContent)
            (_, json) = try await Self.call(client, .alice, .get, "/api/conversations/\(older)")
            let messages = try #require(json["messages"] as? [[String: Any]])
            #expect(messages.map { $0["position"] as? Int } == [0, 1])
            #expect(messages.map { $0["content"] as? String } == ["Қайырлы таң", "Сәлем!"])

            for bad in ["", "?from=-1", "?from=x"] {
                (code, json) = try await Self.call(client, .alice, .delete, "/api/conversations/\(older)/messages\(bad)")
                #expect(code == .badRequest, "from \(bad)")
                #expect((json["error"] as? [String: Any])?["param"] as? String == "from")
            }
        }
    }

    @Test func searchIgnoresCaseInCyrillic() async throws {
        try await TestServer.app().test(.router) { client in
            let kazakh = try await Self.create(client, .alice, #"{"title":"ҚАЗАҚСТАН тарихы"}"#)
            let russian = try await Self.create(client, .alice)
            try await Self.call(client, .alice, .post, "/api/conversations/\(russian)/messages",
                                #"{"role":"assistant","content":"Столица — АСТАНА"}"#)
            _ = try await Self.create(client, .alice, #"{"title":"Other"}"#)
            for (query, expected) in [("қазақстан", [kazakh]), ("астана", [russian]), ("ТАРИХ", [kazakh]), ("nothing", [])] {
                let encoded = try #require(query.addingPercentEncoding(withAllowedCharacters: Self.asciiLetters))
                let (_, json) = try await Self.call(client, .alice, .get, "/api/conversations?q=\(encoded)")
                let ids = (json["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
                #expect(ids == expected, "q=\(query)")
            }
        }
    }

    @Test func anotherBrowsersConversationsAreNotFound() async throws {
        try await TestServer.app().test(.router) { client in
            let id = try await Self.create(client, .alice, #"{"title":"private"}"#)
            let (_, message) = try await Self.call(client, .alice, .post, "/api/conversations/\(id)/messages",
                                                   #"{"role":"assistant","content":"secret"}"#)
            let messageID = try #require(message["id"] as? String)

            let (_, list) = try await Self.call(client, .bob, .get, "/api/conversations")
            #expect((list["data"] as? [Any])?.isEmpty == true)
            let (_, searched) = try await Self.call(client, .bob, .get, "/api/conversations?q=secret")
            #expect((searched["data"] as? [Any])?.isEmpty == true)
            for (method, uri, body) in [
                (HTTPRequest.Method.get, "/api/conversations/\(id)", nil),
                (.patch, "/api/conversations/\(id)", #"{"title":"mine now"}"#),
                (.delete, "/api/conversations/\(id)", nil),
                (.post, "/api/conversations/\(id)/messages", #"{"role":"user","content":"x"}"#),
                (.delete, "/api/conversations/\(id)/messages?from=0", nil),
                (.post, "/api/messages/\(messageID)/feedback", #"{"rating":-1}"#),
                (.delete, "/api/messages/\(messageID)/feedback", nil),
            ] as [(HTTPRequest.Method, String, String?)] {
                let (status, _) = try await Self.call(client, .bob, method, uri, body)
                #expect(status == .notFound, "\(method) \(uri)")
            }
            let (status, json) = try await Self.call(client, .alice, .get, "/api/conversations/\(id)")
            #expect(status == .ok)
            #expect(json["title"] as? String == "private")
            #expect((json["messages"] as? [Any])?.count == 1)
        }
    }

    @Test func feedbackIsStoredReplacedAndWithdrawn() async throws {
        try await TestServer.app().test(.router) { client in
            let id = try await Self.create(client, .alice)
            let (_, message) = try await Self.call(client, .alice, .post, "/api/conversations/\(id)/messages",
                                                   #"{"role":"assistant","content":"answer","model":"tiny"}"#)
            let messageID = try #require(message["id"] as? String)
            var (status, json) = try await Self.call(client, .alice, .post, "/api/messages/\(messageID)/feedback", #"{"rating":1}"#)
            #expect(status == .ok)
            #expect(json["rating"] as? Int == 1 && json["message_id"] as? String == messageID)
            (status, _) = try await Self.call(client, .alice, .post, "/api/messages/\(messageID)/feedback",
                                              #"{"rating":-1,"comment":"wrong year"}"#)
            #expect(status == .ok)
            (_, json) = try await Self.call(client, .alice, .get, "/api/conversations/\(id)")
            let feedback = try #require((json["messages"] as? [[String: Any]])?.first?["feedback"] as? [String: Any])
            #expect(feedback["rating"] as? Int == -1 && feedback["comment"] as? String == "wrong year")

            (status, json) = try await Self.call(client, .alice, .post, "/api/messages/\(messageID)/feedback", #"{"rating":5}"#)
            #expect(status == .badRequest)
            #expect((json["error"] as? [String: Any])?["param"] as? String == "rating")

            (status, _) = try await Self.call(client, .alice, .delete, "/api/messages/\(messageID)/feedback")
            #expect(status == .noContent)
            (_, json) = try await Self.call(client, .alice, .get, "/api/conversations/\(id)")
            #expect((json["messages"] as? [[String: Any]])?.first?["feedback"] is NSNull)
        }
    }

    @Test(arguments: [
        (HTTPRequest.Method.post, "/api/conversations", "not json"),
        (.post, "/api/conversations", #"{"temperature":"hot"}"#),
        (.post, "/api/conversations", #"{"temperature":3}"#),
        (.post, "/api/conversations", #"["a list"]"#),
        (.patch, "/api/conversations/{id}", "{"),
        (.post, "/api/conversations/{id}/messages", #"{"role":"tool","content":"x"}"#),
        (.post, "/api/conversations/{id}/messages", #"{"role":"user"}"#),
        (.post, "/api/conversations/{id}/messages", ""),
    ])
    func badBodiesAre400(method: HTTPRequest.Method, uri: String, body: String) async throws {
        try await TestServer.app().test(.router) { client in
            let id = try await Self.create(client, .alice)
            let (status, json) = try await Self.call(client, .alice, method, uri.replacingOccurrences(of: "{id}", with: id), body)
            #expect(status == .badRequest)
            let error = try #require(json["error"] as? [String: Any])
            #expect(error["type"] as? String == "invalid_request_error")
            #expect((error["message"] as? String)?.isEmpty == false)
        }
    }

    @Test(arguments: [
        (HTTPRequest.Method.get, "/api/conversations/00000000-0000-0000-0000-000000000000"),
        (.get, "/api/conversations/not-a-uuid"),
        (.patch, "/api/conversations/00000000-0000-0000-0000-000000000000"),
        (.delete, "/api/conversations/00000000-0000-0000-0000-000000000000"),
        (.post, "/api/conversations/00000000-0000-0000-0000-000000000000/messages"),
        (.post, "/api/messages/00000000-0000-0000-0000-000000000000/feedback"),
    ])
    func unknownIdsAre404(method: HTTPRequest.Method, uri: String) async throws {
        try await TestServer.app().test(.router) { client in
            let body: String? = switch method {
            case .patch: #"{"title":"x"}"#
            case .post: uri.hasSuffix("feedback") ? #"{"rating":1}"# : #"{"role":"user","content":"x"}"#
            default: nil
            }
            let (status, json) = try await Self.call(client, .alice, method, uri, body)
            #expect(status == .notFound)
            #expect((json["error"] as? [String: Any])?["code"] as? String == "not_found")
        }
    }

    @Test func bodiesOverTheLimitAre413() async throws {
        try await TestServer.app { $0.bodyLimit = 1024 }.test(.router) { client in
            let id = try await Self.create(client, .alice)
            let content = String(repeating: "x", count: 2000)
            let (status, _) = try await Self.call(client, .alice, .post, "/api/conversations/\(id)/messages",
                                                  #"{"role":"user","content":"\#(content)"}"#)
            #expect(status == .contentTooLarge)
        }
    }
}
