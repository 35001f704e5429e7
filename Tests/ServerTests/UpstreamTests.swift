import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing
@testable import Server

/// Models served by forwarding: a real second aqyl as the upstream, plus a scripted
/// fake upstream for the failure modes (slow, rate limited, broken).
@Suite struct UpstreamTests {
    static func chat(_ model: String, stream: Bool = false, maxTokens: Int = 6) -> ByteBuffer {
        ByteBuffer(string: #"{"model":"\#(model)","messages":[{"role":"user","content":"Сәлем, әлем"}],"#
            + #""max_tokens":\#(maxTokens),"temperature":0,"stream":\#(stream)}"#)
    }

    static func object(_ buffer: ByteBuffer) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: buffer)) as? [String: Any])
    }

    static func content(_ buffer: ByteBuffer) throws -> String {
        let choices = try #require(try object(buffer)["choices"] as? [[String: Any]])
        return try #require((choices.first?["message"] as? [String: Any])?["content"] as? String)
    }

    /// The concatenated deltas of an SSE body, and whether it ended with `[DONE]`.
    static func streamedContent(_ buffer: ByteBuffer) throws -> (String, Bool) {
        let events = String(buffer: buffer).components(separatedBy: "\n\n").filter { !$0.isEmpty }
        var text = ""
        for event in events.dropLast() {
            let chunk = try #require(try JSONSerialization.jsonObject(with: Data(event.dropFirst(6).utf8)) as? [String: Any])
            let delta = (chunk["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any]
            text += delta?["content"] as? String ?? ""
        }
        return (text, events.last == "data: [DONE]")
    }

    static func gateway(_ specs: [UpstreamModelSpec], readTimeout: Duration = .seconds(30)) async throws -> some ApplicationProtocol {
        try await TestServer.app { config in
            config.upstreams = UpstreamSettings(models: specs)
            config.upstreams.readTimeout = readTimeout
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func chatGoesThroughAnotherAqyl() async throws {
        guard let model = TestServer.tinyModel else { throw TestServerError.modelMissing }
        let upstream = try await buildApplication(configuration: TestServer.configuration(), models: [ModelEntry(id: "tiny", model: model)])
        try await upstream.test(.live) { direct in
            let port = try #require(direct.port)
            let expected = try await direct.execute(uri: "/v1/chat/completions", method: .post, body: Self.chat("tiny")) { response in
                #expect(response.status == .ok)
                return try Self.content(response.body)
            }
            #expect(!expected.isEmpty)
            let spec = try UpstreamModelSpec(parsing: "far=http://localhost:\(port)/v1/#tiny")
            try await Self.gateway([spec]).test(.router) { client in
                try await client.execute(uri: "/v1/chat/completions", method: .post, body: Self.chat("far")) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                    let value = try Self.content(response.body)
                    #expect(value == expected)
                }
                try await client.execute(uri: "/v1/chat/completions", method: .post, body: Self.chat("far", stream: true)) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType] == "text/event-stream")
                    let (text, done) = try Self.streamedContent(response.body)
                    #expect(text == expected && done)
                }
                // The gateway's own local model still answers, through the same middleware.
                try await client.execute(uri: "/v1/chat/completions", method: .post, body: Self.chat("tiny")) { response in
                    let value = try Self.content(response.body)
                    #expect(value == expected)
                }
                try await client.execute(uri: "/v1/models", method: .get) { response in
                    let data = try #require(try Self.object(response.body)["data"] as? [[String: Any]])
                    #expect(data.map { $0["id"] as? String } == ["tiny", "far"])
                    #expect(data.last?["owned_by"] as? String == "upstream")
                }
                // The upstream's errors pass through with their status.
                let bad = ByteBuffer(string: #"{"model":"far","messages":[]}"#)
                try await client.execute(uri: "/v1/chat/completions", method: .post, body: bad) { response in
                    #expect(response.status == .badRequest)
                    let value = try Self.object(response.body)["error"] as? [String: Any]
                    #expect(value?["type"] as? String == "invalid_request_error")
                }
            }
        }
    }

    /// Routes imitating an upstream that is slow, rate limited, or echoes what it got.
    static func fakeUpstream() -> Router<BasicRequestContext> {
        let router = Router()
        router.post("/slow/chat/completions") { _, _ in
            try await Task.sleep(for: .milliseconds(1500))
            return "late"
        }
        router.post("/limited/chat/completions") { _, _ in
            Response(status: .tooManyRequests, headers: [.retryAfter: "7", .contentType: "application/json"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"error":{"message":"slow down","type":"requests","param":null,"code":"rate_limit_exceeded"}}"#)))
        }
        for endpoint in ["chat/completions", "completions"] {
            router.post("/echo/\(endpoint)") { request, _ in
                let body = try await request.body.collect(upTo: 1 << 20)
                var headers = HTTPFields()
                headers[.contentType] = "application/json"
                return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: body))
            }
        }
        router.post("/auth/chat/completions") { request, _ in
            let seen = request.headers[.authorization] ?? "none"
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"authorization":"\#(seen)"}"#)))
        }
        router.post("/drip/chat/completions") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/event-stream"], body: ResponseBody { writer in
                try await writer.write(ByteBuffer(string: "data: {\"n\":1}\n\n"))
                try await Task.sleep(for: .milliseconds(800))
                try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
                try await writer.finish(nil)
            })
        }
        return router
    }

    @Test(.timeLimit(.minutes(1)))
    func failuresAndPassThrough() async throws {
        try await Application(router: Self.fakeUpstream()).test(.live) { fake in
            let base = "http://localhost:\(try #require(fake.port))"
            let specs = try [
                UpstreamModelSpec(id: "slow", baseURL: base + "/slow"),
                UpstreamModelSpec(id: "limited", baseURL: base + "/limited"),
                UpstreamModelSpec(id: "echo", baseURL: base + "/echo", remoteModel: "remote-echo"),
                UpstreamModelSpec(id: "auth", baseURL: base + "/auth", apiKey: "sk-up"),
                // Nothing listens on port 1.
                UpstreamModelSpec(id: "dead", baseURL: "http://127.0.0.1:1/v1"),
            ]
            try await Self.gateway(specs, readTimeout: .milliseconds(500)).test(.router) { client in
                let start = ContinuousClock.now
                try await client.execute(uri: "/v1/chat/completions", method: .post, body: Self.chat("dead")) { response in
                    #expect(response.status == .badGateway)
                    #expect(start.duration(to: .now) < .seconds(5), "a refused connection fails fast")
                    let error = try #require(try Self.object(response.body)["error"] as? [String: Any])
                    #expect(error["code"] as? String == "upstream_unreachable")
                }
                try await client.execute(uri: "/v1/chat/completions", method: .post, body: Self.chat("slow")) { response in
                    #expect(response.status == .gatewayTimeout)
                }
                try await client.execute(uri: "/v1/chat/completions", method: .post, body: Self.chat("limited")) { response in
                    #expect(response.status == .tooManyRequests)
                    #expect(response.headers[.retryAfter] == "7")
                }
                // `model` is rewritten, everything else arrives as sent, with the upstream key.
                for uri in ["/v1/chat/completions", "/v1/completions"] {
                    try await client.execute(uri: uri, method: .post, body: Self.chat("echo")) { response in
                        #expect(response.status == .ok)
                        let seen = try Self.object(response.body)
                        #expect(seen["model"] as? String == "remote-echo")
                        #expect(seen["max_tokens"] as? Int == 6 && seen["temperature"] as? Int == 0)
                        #expect((seen["messages"] as? [[String: Any]])?.first?["content"] as? String == "Сәлем, әлем")
                    }
                }
                // The client's own key stays here; the upstream gets the configured one.
                try await client.execute(uri: "/v1/chat/completions", method: .post, body: Self.chat("auth")) { response in
                    let value = try Self.object(response.body)
                    #expect(value["authorization"] as? String == "Bearer sk-up")
                }
            }
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func bodiesAreForwardedByteForByteWhenNoRewriteIsNeeded() async throws {
        try await Application(router: Self.fakeUpstream()).test(.live) { fake in
            let spec = try UpstreamModelSpec(id: "echo", baseURL: "http://localhost:\(try #require(fake.port))/echo")
            let upstreams = UpstreamModels(UpstreamSettings(models: [spec]))
            let response = await upstreams["echo"]!.forward(endpoint: "chat/completions", body: Self.chat("echo"), headers: [:])
            let recorder = RecordingWriter()
            do { try await response.body.write(recorder) } catch { try await upstreams.shutdown(); throw error }
            try await upstreams.shutdown()
            #expect(response.status == .ok)
            #expect(recorder.text == String(buffer: Self.chat("echo")))
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func streamsPassThroughUnbuffered() async throws {
        try await Application(router: Self.fakeUpstream()).test(.live) { fake in
            let spec = try UpstreamModelSpec(id: "drip", baseURL: "http://localhost:\(try #require(fake.port))/drip")
            let upstreams = UpstreamModels(UpstreamSettings(models: [spec]))
            do {
                let response = await upstreams["drip"]!.forward(endpoint: "chat/completions", body: Self.chat("drip", stream: true), headers: [:])
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/event-stream")
                let recorder = RecordingWriter()
                try await response.body.write(recorder)
                let log = recorder.entries
                #expect(recorder.text == "data: {\"n\":1}\n\ndata: [DONE]\n\n")
                // The first event came out while the upstream was still sleeping.
                let first = try #require(log.first), last = try #require(log.last)
                #expect(first.0.duration(to: last.0) > .milliseconds(500))
            } catch {
                try await upstreams.shutdown()
                throw error
            }
            try await upstreams.shutdown()
        }
    }

    @Test(arguments: [
        ("a=http://h:8000/v1", "a", "http://h:8000/v1", "a"),
        ("a=http://h:8000/v1/#m-1", "a", "http://h:8000/v1", "m-1"),
        ("org/x=https://api.example.com/v1#org/y", "org/x", "https://api.example.com/v1", "org/y"),
        ("a=http://h/v1#", "a", "http://h/v1", "a"),
    ])
    func specsParse(text: String, id: String, base: String, remote: String) throws {
        let spec = try UpstreamModelSpec(parsing: text)
        #expect(spec.id == id && spec.baseURL == base && spec.remoteModel == remote && spec.apiKey == nil)
    }

    @Test(arguments: ["nourl", "=http://h/v1", "a=ftp://h/v1", "a=not a url", "a=http:///v1", "a=http://h/v1?x=1#m"])
    func badSpecsAreTypedErrors(text: String) {
        #expect(throws: UpstreamSpecError.self) { try UpstreamModelSpec(parsing: text) }
    }

    @Test func keysAttachByName() throws {
        let specs = try UpstreamModelSpec.parse(upstreams: ["a=http://h/v1", "b=http://g/v1"], keys: ["b=sk-1=2"])
        #expect(specs.map(\.apiKey) == [nil, "sk-1=2"])
        #expect(throws: UpstreamSpecError.keyForUnknownUpstream("c")) {
            try UpstreamModelSpec.parse(upstreams: ["a=http://h/v1"], keys: ["c=k"])
        }
        #expect(throws: UpstreamSpecError.duplicate("a")) {
            try UpstreamModelSpec.parse(upstreams: ["a=http://h/v1", "a=http://g/v1"], keys: [])
        }
    }
}

/// Collects what a response body writes, with arrival times.
struct RecordingWriter: ResponseBodyWriter {
    final class Log: Sendable {
        let entries = Mutex<[(ContinuousClock.Instant, String)]>([])
    }

    let log = Log()

    var entries: [(ContinuousClock.Instant, String)] { log.entries.withLock { $0 } }
    var text: String { entries.map(\.1).joined() }

    func write(_ buffer: ByteBuffer) async throws {
        log.entries.withLock { $0.append((.now, String(buffer: buffer))) }
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
