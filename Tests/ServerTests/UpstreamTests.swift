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

    static func gateway(_ specs: [UpstreamModelSpec], totalTimeout: Duration = .seconds(30),
                        adjust: @escaping (inout UpstreamSettings) -> Void = { _ in }) async throws -> some ApplicationProtocol {
        try await TestServer.app { config in
            config.upstreams = UpstreamSettings(models: specs)
            config.upstreams.totalTimeout = totalTimeout
            adjust(&config.upstreams)
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
                    // The client gets back the name it asked for, not the upstream's.
                    let named = try Self.object(response.body)["model"] as? String
                    #expect(named == "far")
                }
                try await client.execute(uri: "/v1/chat/completions", method: .post, body: Self.chat("far", stream: true)) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType] == "text/event-stream")
                    let (text, done) = try Self.streamedContent(response.body)
                    #expect(text == expected && done)
                    // Renamed in every chunk; the usage chunk the gateway asked for stays here.
                    #expect(!String(buffer: response.body).contains(#""model":"tiny""#))
                    #expect(!String(buffer: response.body).contains(#""choices":[]"#))
                }
                // Forwarded tokens count under the pool's name, like a local model's.
                try await client.execute(uri: "/metrics", method: .get) { response in
                    let text = String(buffer: response.body)
                    #expect(text.contains(#"aqyl_generated_tokens_total{model="far"} \#(2 * 6)"#), "\(text)")
                    #expect(text.contains(#"aqyl_upstream_requests_total{pool="far",member="http://localhost:\#(port)/v1"} 2"#))
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
        // Every fake member passes its health checks.
        // (One route each: the router does not fall back from a constant segment to a parameter.)
        for member in ["slow", "limited", "echo", "auth", "drip", "seen", "broken", "sse", "stall", "answer"] {
            router.get("/\(member)/models") { _, _ in #"{"object":"list","data":[]}"# }
        }
        router.post("/seen/chat/completions") { request, _ in
            let body = try await request.body.collect(upTo: 1 << 20)
            let model = (try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any])?["model"] as? String ?? ""
            return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(
                string: #"{"object":"chat.completion","model":"\#(model)","seen_model":"\#(model)","choices":[]}"#)))
        }
        router.post("/answer/chat/completions") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string:
                #"{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"remote","choices":[{"index":0,"message":{"role":"assistant","content":"Сәлем"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}"#)))
        }
        router.post("/broken/chat/completions") { _, _ in
            Response(status: .internalServerError, headers: [.contentType: "application/json"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"error":{"message":"boom","type":"server_error"}}"#)))
        }
        // A stream as vLLM sends it: the upstream's own model name, a usage chunk only when asked.
        router.post("/sse/chat/completions") { request, _ in
            let body = try await request.body.collect(upTo: 1 << 20)
            let object = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]
            let usage = (object?["stream_options"] as? [String: Any])?["include_usage"] as? Bool == true
            return Response(status: .ok, headers: [.contentType: "text/event-stream"], body: ResponseBody { writer in
                for piece in ["Сә", "лем", "!"] {
                    try await writer.write(ByteBuffer(string: #"data: {"object":"chat.completion.chunk","model":"remote-sse","choices":[{"index":0,"delta":{"content":"\#(piece)"},"finish_reason":null}]}"# + "\r\n\r\n"))
                }
                if usage {
                    try await writer.write(ByteBuffer(string: #"data: {"object":"chat.completion.chunk","model":"remote-sse","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12}}"# + "\n\n"))
                }
                try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
                try await writer.finish(nil)
            })
        }
        // First chunk, then silence.
        router.post("/stall/chat/completions") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/event-stream"], body: ResponseBody { writer in
                try await writer.write(ByteBuffer(string: #"data: {"model":"stall","choices":[{"index":0,"delta":{"content":"a"}}]}"# + "\n\n"))
                try await Task.sleep(for: .seconds(3))
                try await writer.finish(nil)
            })
        }
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
                UpstreamModelSpec(id: "seen", baseURL: base + "/seen", remoteModel: "remote-seen"),
                UpstreamModelSpec(id: "auth", baseURL: base + "/auth", apiKey: "sk-up"),
                // Nothing listens on port 1.
                UpstreamModelSpec(id: "dead", baseURL: "http://127.0.0.1:1/v1"),
            ]
            try await Self.gateway(specs, totalTimeout: .milliseconds(500)).test(.router) { client in
                let start = ContinuousClock.now
                // Refused at the first health check, before the server served: out of rotation at once.
                try await client.execute(uri: "/v1/chat/completions", method: .post, body: Self.chat("dead")) { response in
                    #expect(response.status == .serviceUnavailable)
                    #expect(response.headers[.retryAfter] != nil)
                    #expect(start.duration(to: .now) < .seconds(5), "a dead pool fails fast")
                    let error = try #require(try Self.object(response.body)["error"] as? [String: Any])
                    #expect(error["code"] as? String == "upstream_unavailable")
                }
                try await client.execute(uri: "/v1/chat/completions", method: .post, body: Self.chat("slow")) { response in
                    #expect(response.status == .gatewayTimeout)
                }
                try await client.execute(uri: "/v1/chat/completions", method: .post, body: Self.chat("limited")) { response in
                    #expect(response.status == .tooManyRequests)
                    #expect(response.headers[.retryAfter] == "7")
                }
                // `model` is rewritten on the way there and back, everything else arrives as sent.
                for uri in ["/v1/chat/completions", "/v1/completions"] {
                    try await client.execute(uri: uri, method: .post, body: Self.chat("echo")) { response in
                        #expect(response.status == .ok)
                        let seen = try Self.object(response.body)
                        #expect(seen["model"] as? String == "echo")
                        #expect(seen["max_tokens"] as? Int == 6 && seen["temperature"] as? Int == 0)
                        #expect((seen["messages"] as? [[String: Any]])?.first?["content"] as? String == "Сәлем, әлем")
                    }
                }
                try await client.execute(uri: "/v1/chat/completions", method: .post, body: Self.chat("seen")) { response in
                    let seen = try Self.object(response.body)
                    #expect(seen["model"] as? String == "seen" && seen["seen_model"] as? String == "remote-seen")
                }
                // The client's own key stays here; the upstream gets the configured one.
                try await client.execute(uri: "/v1/chat/completions", method: .post, body: Self.chat("auth")) { response in
                    let value = try Self.object(response.body)
                    #expect(value["authorization"] as? String == "Bearer sk-up")
                }
            }
        }
    }

    /// Calls a pool directly (no router), so the response body's timing can be watched.
    static func forward(_ spec: UpstreamModelSpec, body: ByteBuffer, streaming: Bool,
                        _ check: (Response, RecordingWriter) async throws -> Void) async throws {
        let metrics = ServerMetrics()
        let upstreams = UpstreamModels(UpstreamSettings(models: [spec]), metrics: metrics, log: { _ in })
        do {
            let pool = try #require(upstreams[spec.id])
            let account = UsageAccount(recorder: nil, caller: .anonymous, model: spec.id, promptTokens: 0, conversation: nil,
                                       fromWebScript: false)
            let relay = UpstreamRelay(pool: spec.id, clientWantsUsage: false, account: account, metrics: metrics, arrived: .now)
            let forwarded = UpstreamPool.Forwarded(endpoint: "chat/completions", body: body, streaming: streaming, accept: nil, relay: relay)
            guard case let .response(response) = await pool.forward(forwarded) else { throw CancellationError() }
            let recorder = RecordingWriter()
            try await response.body.write(recorder)
            try await check(response, recorder)
        } catch {
            try await upstreams.shutdown()
            throw error
        }
        try await upstreams.shutdown()
    }

    @Test(.timeLimit(.minutes(1)))
    func bodiesAreForwardedByteForByteWhenNoRewriteIsNeeded() async throws {
        try await Application(router: Self.fakeUpstream()).test(.live) { fake in
            let spec = try UpstreamModelSpec(id: "echo", baseURL: "http://localhost:\(try #require(fake.port))/echo")
            try await Self.forward(spec, body: Self.chat("echo"), streaming: false) { response, recorder in
                #expect(response.status == .ok)
                #expect(recorder.text == String(buffer: Self.chat("echo")))
            }
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func streamsPassThroughUnbuffered() async throws {
        try await Application(router: Self.fakeUpstream()).test(.live) { fake in
            let spec = try UpstreamModelSpec(id: "drip", baseURL: "http://localhost:\(try #require(fake.port))/drip")
            try await Self.forward(spec, body: Self.chat("drip", stream: true), streaming: true) { response, recorder in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/event-stream")
                let log = recorder.entries
                #expect(recorder.text == "data: {\"n\":1}\n\ndata: [DONE]\n\n")
                // The first event came out while the upstream was still sleeping.
                let first = try #require(log.first), last = try #require(log.last)
                #expect(first.0.duration(to: last.0) > .milliseconds(500))
            }
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func poolRetriesOnAnotherMemberAndEjectsTheFailingOne() async throws {
        try await Application(router: Self.fakeUpstream()).test(.live) { fake in
            let base = "http://localhost:\(try #require(fake.port))"
            let specs = try UpstreamModelSpec.parse(upstreams: ["p=\(base)/broken", "p=\(base)/echo"], keys: [])
            try await Self.gateway(specs).test(.router) { client in
                // Ties go either way at random: after 16 requests the broken member has (almost surely) failed twice.
                for _ in 0..<16 {
                    try await client.execute(uri: "/v1/chat/completions", method: .post, body: Self.chat("p")) { response in
                        #expect(response.status == .ok, "\(String(buffer: response.body))")
                    }
                }
                try await client.execute(uri: "/health", method: .get) { response in
                    let pools = try #require(try Self.object(response.body)["upstreams"] as? [String: Any])
                    let members = try #require((pools["p"] as? [String: Any])?["members"] as? [[String: Any]])
                    let broken = try #require(members.first { ($0["url"] as? String)?.hasSuffix("/broken") == true })
                    #expect(broken["state"] as? String == "ejected")
                    #expect(broken["ejections"] as? Int == 1 && broken["errors"] as? Int == 2)
                    #expect(broken["in_flight"] as? Int == 0)
                    let echo = try #require(members.first { ($0["url"] as? String)?.hasSuffix("/echo") == true })
                    #expect(echo["state"] as? String == "healthy" && echo["requests"] as? Int == 16)
                }
                try await client.execute(uri: "/metrics", method: .get) { response in
                    let text = String(buffer: response.body)
                    #expect(text.contains(#"aqyl_upstream_errors_total{pool="p",member="\#(base)/broken",kind="5xx"} 2"#), "\(text)")
                    #expect(text.contains(#"aqyl_upstream_ejections_total{pool="p",member="\#(base)/broken"} 1"#))
                    #expect(text.contains(#"aqyl_upstream_up{pool="p",member="\#(base)/broken"} 0"#))
                    #expect(text.contains(#"aqyl_upstream_retries_total{pool="p"} 2"#))
                }
            }
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func streamsAreRenamedCountedAndTheirUsageChunkHidden() async throws {
        try await Application(router: Self.fakeUpstream()).test(.live) { fake in
            let spec = try UpstreamModelSpec(id: "s", baseURL: "http://localhost:\(try #require(fake.port))/sse")
            try await Self.gateway([spec]).test(.router) { client in
                try await client.execute(uri: "/v1/chat/completions", method: .post, body: Self.chat("s", stream: true)) { response in
                    let text = String(buffer: response.body)
                    let (content, done) = try Self.streamedContent(response.body)
                    #expect(content == "Сәлем!" && done)
                    #expect(!text.contains("remote-sse") && !text.contains("usage"), "\(text)")
                }
                let asked = ByteBuffer(string: #"{"model":"s","messages":[{"role":"user","content":"x"}],"stream":true,"stream_options":{"include_usage":true}}"#)
                try await client.execute(uri: "/v1/chat/completions", method: .post, body: asked) { response in
                    let text = String(buffer: response.body)
                    #expect(text.contains(#""prompt_tokens":9"#), "\(text)")
                }
                try await client.execute(uri: "/metrics", method: .get) { response in
                    let text = String(buffer: response.body)
                    #expect(text.contains(#"aqyl_generated_tokens_total{model="s"} 6"#), "\(text)")
                    #expect(text.contains(#"aqyl_prompt_tokens_total{model="s"} 18"#))
                }
            }
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func aStalledStreamEndsWithAnErrorEvent() async throws {
        try await Application(router: Self.fakeUpstream()).test(.live) { fake in
            let spec = try UpstreamModelSpec(id: "stall", baseURL: "http://localhost:\(try #require(fake.port))/stall")
            try await Self.gateway([spec], adjust: { $0.idleTimeout = .milliseconds(400) }).test(.router) { client in
                let start = ContinuousClock.now
                try await client.execute(uri: "/v1/chat/completions", method: .post, body: Self.chat("stall", stream: true)) { response in
                    let text = String(buffer: response.body)
                    #expect(text.contains(#""code":"upstream_timeout""#), "\(text)")
                    #expect(text.hasSuffix("data: [DONE]\n\n"))
                }
                #expect(start.duration(to: .now) < .seconds(5))
                try await client.execute(uri: "/health", method: .get) { response in
                    let pools = try #require(try Self.object(response.body)["upstreams"] as? [String: Any])
                    let members = try #require((pools["stall"] as? [String: Any])?["members"] as? [[String: Any]])
                    #expect(members.first?["in_flight"] as? Int == 0 && members.first?["errors"] as? Int == 1)
                }
            }
        }
    }

    /// The web chat, its identities and limits, and the usage log treat a pool model like a local one.
    @Test(.timeLimit(.minutes(1)))
    func webChatIdentitiesLimitsAndTheLogCoverPoolModels() async throws {
        try await Application(router: Self.fakeUpstream()).test(.live) { fake in
            let spec = try UpstreamModelSpec(id: "kazllm", baseURL: "http://localhost:\(try #require(fake.port))/answer")
            let app = try await TestServer.app { config in
                config.upstreams = UpstreamSettings(models: [spec])
                config.frontDoor.webRateLimitPerMinute = 2
            }
            try await app.test(.router) { client in
                func chat(_ cookie: String) async throws -> HTTPResponse.Status {
                    try await client.execute(uri: "/v1/chat/completions", method: .post,
                                             headers: [UsageAccount.clientHeader: "web-chat", .contentType: "application/json", .cookie: cookie],
                                             body: Self.chat("kazllm")) { $0.status }
                }
                // Five browsers the page issued identities to, one message each.
                for _ in 0..<5 {
                    let cookie = try #require(try await WebIdentityTests.pageCookie(client))
                    let status = try await chat(cookie)
                    #expect(status == .ok)
                }
                let day = try await WebIdentityTests.today(client)
                #expect(day.dau == .value(5) && day.userMessages == .value(5))
                // One identity's limit holds for the pool model too.
                let cookie = TestServer.cookie(String(repeating: "e", count: 32))
                let statuses = [try await chat(cookie), try await chat(cookie), try await chat(cookie)]
                #expect(statuses == [.ok, .ok, .tooManyRequests])
            }
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func aDeadPoolFallsBackToTheLocalModel() async throws {
        let spec = try UpstreamModelSpec(id: "big", baseURL: "http://127.0.0.1:1/v1")
        try await Self.gateway([spec], adjust: { $0.fallbacks = ["big": "tiny"] }).test(.router) { client in
            try await client.execute(uri: "/v1/chat/completions", method: .post, body: Self.chat("big")) { response in
                #expect(response.status == .ok)
                #expect(response.headers[HTTPField.Name("X-Aqyl-Fallback")!] == "tiny")
                let model = try Self.object(response.body)["model"] as? String
                #expect(model == "tiny")
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(String(buffer: response.body).contains(#"aqyl_upstream_fallbacks_total{pool="big"} 1"#))
            }
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
        #expect(throws: UpstreamSpecError.duplicate("a", "http://h/v1")) {
            try UpstreamModelSpec.parse(upstreams: ["a=http://h/v1", "a=http://h/v1/"], keys: [])
        }
        #expect(throws: UpstreamSpecError.conflictingRemoteModels("a", "x", "y")) {
            try UpstreamModelSpec.parse(upstreams: ["a=http://h/v1#x", "a=http://g/v1#y"], keys: [])
        }
    }

    @Test func poolsAndWeights() throws {
        let specs = try UpstreamModelSpec.parse(upstreams: ["a=http://h/v1#m;weight=3", "a=http://g/v1#m", "b=http://h/v1"],
                                                keys: ["a=sk"])
        #expect(specs.map(\.weight) == [3, 1, 1])
        #expect(specs.map(\.apiKey) == ["sk", "sk", nil])
        var settings = UpstreamSettings(models: specs)
        settings.fallbacks = [:]
        #expect(settings.poolNames == ["a", "b"])
        // Credentials in a member URL stay out of /health, /metrics and the log.
        #expect(try UpstreamModelSpec(parsing: "c=http://user:secret@h:8000/v1").displayURL == "http://h:8000/v1")
        for bad in ["a=http://h/v1;weight=0", "a=http://h/v1;weight=1001", "a=http://h/v1;weight=x", "a=http://h/v1;weight=99999999999999999999"] {
            #expect(throws: UpstreamSpecError.self) { try UpstreamModelSpec(parsing: bad) }
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
