import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TestSupport

/// `aqyl serve` in front of pools of real servers: other `aqyl serve` processes,
/// llama.cpp's `llama-server`, and a chaos upstream (scripts/chaos_upstream.py) that
/// stalls, breaks off, answers garbage, 5xx or 429.
@Suite(.serialized) struct UpstreamPoolTests {
    static var root: URL { ServePeerTests.packageRoot }
    static var aqyl: String { root.appendingPathComponent(".build/debug/aqyl").path }

    /// A child process with its output in a file; killed when stopped or dropped.
    final class Child: @unchecked Sendable {
        let process = Process()
        let log: URL

        init(_ executable: String, _ arguments: [String]) throws {
            log = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-pool-\(UUID().uuidString.prefix(8)).log")
            FileManager.default.createFile(atPath: log.path, contents: nil)
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            let handle = try FileHandle(forWritingTo: log)
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
        }

        var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

        func kill9() {
            guard process.isRunning else { return }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }

        deinit { kill9() }
    }

    static func port() -> Int { FreePort.next() }

    static func chaos(port: Int, mode: String = "by-model", stall: Double = 30, extra: [String] = []) throws -> Child {
        try Child("/usr/bin/env", ["python3", root.appendingPathComponent("scripts/chaos_upstream.py").path,
                                   "--port", String(port), "--mode", mode, "--stall", String(stall)] + extra)
    }

    static func serve(port: Int, _ arguments: [String]) throws -> Child {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-pool-data-\(UUID().uuidString)")
        return try Child(aqyl, ["serve", "--port", String(port), "--data", data.path, "--threads", "1"] + arguments)
    }

    struct Reply: Sendable {
        var status: Int
        var body: String
        var headers: [String: String]
        var seconds: Double
    }

    static func send(_ url: String, method: String = "GET", body: String? = nil, timeout: Double = 60) async throws -> Reply {
        var request = URLRequest(url: try #require(URL(string: url)))
        request.httpMethod = method
        request.timeoutInterval = timeout
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let start = ContinuousClock.now
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        var headers: [String: String] = [:]
        for (k, v) in http.allHeaderFields { headers[String(describing: k).lowercased()] = String(describing: v) }
        let (s, atto) = start.duration(to: .now).components
        return Reply(status: http.statusCode, body: String(decoding: data, as: UTF8.self), headers: headers,
                     seconds: Double(s) + Double(atto) / 1e18)
    }

    static func waitReady(_ base: String, path: String = "/health", seconds: Int = 60) async throws {
        for _ in 0..<(seconds * 5) {
            if let r = try? await send(base + path, timeout: 2), r.status == 200 { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw CocoaError(.fileReadUnknown)
    }

    static func chat(_ model: String, stream: Bool, maxTokens: Int = 8) -> String {
        #"{"model":"\#(model)","messages":[{"role":"user","content":"Алматы туралы айтып бер."}],"max_tokens":\#(maxTokens),"temperature":0,"stream":\#(stream)}"#
    }

    /// The members of `pool` as `/health` reports them.
    static func members(_ base: String, _ pool: String) async throws -> [[String: Any]] {
        let health = try await send(base + "/health")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(health.body.utf8)) as? [String: Any])
        let pools = try #require(object["upstreams"] as? [String: Any])
        return try #require((pools[pool] as? [String: Any])?["members"] as? [[String: Any]])
    }

    /// A stream ended properly, or said in-band that it failed: never cut off silently.
    static func streamOutcome(_ body: String) -> String {
        guard body.hasSuffix("data: [DONE]\n\n") else { return "cut" }
        return body.contains(#""error":"#) ? "error-event" : "complete"
    }

    @Test(.timeLimit(.minutes(3)))
    func everyChaosCaseHasAClearOutcome() async throws {
        let chaosPort = Self.port()
        let chaos = try Self.chaos(port: chaosPort, stall: 3)
        defer { chaos.kill9() }
        try await Self.waitReady("http://127.0.0.1:\(chaosPort)", path: "/v1/models")
        let up = "http://127.0.0.1:\(chaosPort)/v1"
        // A server that closes every kept-alive connection after one request, silently.
        let closerPort = Self.port()
        let closer = try Self.chaos(port: closerPort, mode: "ok", extra: ["--max-keepalive", "1"])
        defer { closer.kill9() }
        try await Self.waitReady("http://127.0.0.1:\(closerPort)", path: "/v1/models")
        let gatewayPort = Self.port()
        let modes = ["ok", "stall", "close", "garbage", "slow-first", "5xx", "429"]
        let gateway = try Self.serve(port: gatewayPort, modes.flatMap { ["--upstream", "\($0)=\(up)#\($0)"] } + [
            "--upstream", "closer=http://127.0.0.1:\(closerPort)/v1",
            "--upstream-first-byte-timeout", "1", "--upstream-timeout", "1", "--upstream-total-timeout", "5",
            "--upstream-eject-after", "5"])
        defer { gateway.kill9() }
        let base = "http://127.0.0.1:\(gatewayPort)"
        try await Self.waitReady(base)
        let url = base + "/v1/chat/completions"

        // A proper upstream: answers renamed, usage counted, its usage chunk hidden.
        let ok = try await Self.send(url, method: "POST", body: Self.chat("ok", stream: false))
        #expect(ok.status == 200 && ok.body.contains("tok7"), "\(ok.body)")
        let okStream = try await Self.send(url, method: "POST", body: Self.chat("ok", stream: true))
        #expect(Self.streamOutcome(okStream.body) == "complete" && !okStream.body.contains("usage"), "\(okStream.body)")

        // Connections the member closed after the last answer are not failures: each request
        // that finds one goes out again on a fresh connection.
        for stream in [false, true, false, true, false, true] {
            let r = try await Self.send(url, method: "POST", body: Self.chat("closer", stream: stream))
            #expect(r.status == 200 && (stream ? Self.streamOutcome(r.body) == "complete" : r.body.contains("tok7")), "\(r.body)")
            try await Task.sleep(for: .milliseconds(50))
        }

        // Stalls after the role chunk: the idle timeout ends the stream in-band; never answers whole: 504 at the total.
        let stall = try await Self.send(url, method: "POST", body: Self.chat("stall", stream: true))
        #expect(Self.streamOutcome(stall.body) == "error-event" && stall.body.contains("upstream_timeout"), "\(stall.body)")
        #expect(stall.seconds < 4)
        let stallWhole = try await Self.send(url, method: "POST", body: Self.chat("stall", stream: false))
        #expect(stallWhole.status == 504 && stallWhole.seconds < 8, "\(stallWhole.status) after \(stallWhole.seconds) s")

        // Closes mid-stream: an error event after what arrived; a whole answer that never came: 502.
        let close = try await Self.send(url, method: "POST", body: Self.chat("close", stream: true))
        #expect(Self.streamOutcome(close.body) == "error-event" && close.body.contains("tok1"), "\(close.body)")
        let closeWhole = try await Self.send(url, method: "POST", body: Self.chat("close", stream: false))
        #expect(closeWhole.status == 502, "\(closeWhole.body)")

        // Garbage: 502 naming the problem, in-band for a stream.
        let garbage = try await Self.send(url, method: "POST", body: Self.chat("garbage", stream: false))
        #expect(garbage.status == 502 && garbage.body.contains("not a JSON object"), "\(garbage.body)")
        let garbageStream = try await Self.send(url, method: "POST", body: Self.chat("garbage", stream: true))
        #expect(Self.streamOutcome(garbageStream.body) == "error-event" && garbageStream.body.contains("not JSON"), "\(garbageStream.body)")

        // Slow to first byte: past the first-byte timeout a stream fails over (here: nowhere, so 504
        // before any byte); a whole answer only has the total to meet, and does.
        let slow = try await Self.send(url, method: "POST", body: Self.chat("slow-first", stream: true))
        #expect(slow.status == 504 && slow.seconds < 3, "\(slow.status) after \(slow.seconds) s: \(slow.body)")
        let slowWhole = try await Self.send(url, method: "POST", body: Self.chat("slow-first", stream: false))
        #expect(slowWhole.status == 200, "\(slowWhole.body)")

        // The upstream's own 5xx and 429 reach the client as they came, Retry-After included.
        let failing = try await Self.send(url, method: "POST", body: Self.chat("5xx", stream: false))
        #expect(failing.status == 503 && failing.body.contains("upstream overloaded"), "\(failing.body)")
        let limited = try await Self.send(url, method: "POST", body: Self.chat("429", stream: true))
        #expect(limited.status == 429 && limited.headers["retry-after"] == "3", "\(limited.status) \(limited.headers)")

        // No stuck slot anywhere, and the errors counted by kind.
        try await Task.sleep(for: .milliseconds(300))
        for mode in modes {
            for member in try await Self.members(base, mode) {
                #expect(member["in_flight"] as? Int == 0, "\(mode): \(member)")
            }
        }
        let metrics = try await Self.send(base + "/metrics").body
        for (pool, kind, count) in [("stall", "timeout", 2), ("close", "broken", 2),
                                    ("garbage", "malformed", 2), ("slow-first", "timeout", 1), ("5xx", "5xx", 1), ("429", "429", 1)] {
            #expect(metrics.contains(#"aqyl_upstream_errors_total{pool="\#(pool)",member="\#(up)",kind="\#(kind)"} \#(count)"#),
                    "\(pool) \(kind): \(metrics.split(separator: "\n").filter { $0.contains("aqyl_upstream_errors_total") })")
        }
        #expect(metrics.contains(#"aqyl_generated_tokens_total{model="ok"} 16"#))
        #expect(metrics.contains(#"aqyl_prompt_tokens_total{model="ok"} 22"#))
    }

    /// The llama-server binary the tests use: $AQYL_LLAMA_SERVER, or where scripts/test.sh builds it.
    static var llamaServer: String? {
        let candidates = [ProcessInfo.processInfo.environment["AQYL_LLAMA_SERVER"],
                          NSHomeDirectory() + "/.cache/aqyl/llama.cpp-build/build/bin/llama-server",
                          "/work/tmp/llama.cpp-build/build/bin/llama-server"]
        return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test(.timeLimit(.minutes(6)))
    func aPoolOfRealServersSurvivesAKilledMember() async throws {
        let llama = try #require(Self.llamaServer, "llama-server is missing: scripts/test.sh builds it (TARGETS=llama-server scripts/build_llama_cpp.sh)")
        let model = FixturePaths.model("smollm2-135m")
        let (pa, pb, pl, pg) = (Self.port(), Self.port(), Self.port(), Self.port())
        var a = try Self.serve(port: pa, ["--model", "smollm2-135m", "--parallel", "4"])
        let b = try Self.serve(port: pb, ["--model", "smollm2-135m", "--parallel", "4"])
        let l = try Child(llama, ["-m", model, "--port", String(pl), "--host", "127.0.0.1", "-t", "1", "-np", "4", "-c", "2048"])
        defer { a.kill9(); b.kill9(); l.kill9() }
        for (p, path) in [(pa, "/health"), (pb, "/health"), (pl, "/health")] {
            try await Self.waitReady("http://127.0.0.1:\(p)", path: path, seconds: 120)
        }
        let members = [pa, pb, pl].flatMap { ["--upstream", "small=http://127.0.0.1:\($0)/v1#smollm2-135m"] }
        let gateway = try Self.serve(port: pg, members + ["--upstream-health-interval", "0.5", "--upstream-health-timeout", "1"])
        defer { gateway.kill9() }
        let base = "http://127.0.0.1:\(pg)"
        try await Self.waitReady(base)
        let url = base + "/v1/chat/completions"

        // Mixed traffic; one aqyl member is killed while it runs.
        let start = ContinuousClock.now
        let victim = a
        let results = try await withThrowingTaskGroup(of: (Bool, Reply).self) { group in
            for i in 0..<12 {
                let stream = i % 2 == 1
                group.addTask {
                    try await Task.sleep(for: .milliseconds(150 * i))
                    return (stream, try await Self.send(url, method: "POST", body: Self.chat("small", stream: stream, maxTokens: stream ? 24 : 8)))
                }
            }
            group.addTask {
                try await Task.sleep(for: .milliseconds(700))
                victim.kill9()
                return (false, Reply(status: -1, body: "", headers: [:], seconds: 0))
            }
            var all: [(Bool, Reply)] = []
            for try await r in group where r.1.status != -1 { all.append(r) }
            return all
        }
        let killedAt = ContinuousClock.now
        let whole = results.filter { !$0.0 }.map(\.1), streams = results.filter { $0.0 }.map(\.1)
        #expect(whole.allSatisfy { $0.status == 200 && $0.body.contains(#""model":"small""#) },
                "non-streamed: \(whole.map { "\($0.status) \($0.body.prefix(200))" })")
        let outcomes = streams.map { $0.status == 200 ? Self.streamOutcome($0.body) : "status \($0.status)" }
        #expect(outcomes.allSatisfy { $0 == "complete" || $0 == "error-event" }, "\(outcomes)")
        print("pool under a kill: \(whole.count) non-streamed ok, streams \(outcomes), in \(start.duration(to: killedAt))")

        // The dead member is out of rotation; the rest still answer.
        let ejected = try await ReplicaTests.eventually(20) {
            (try? await Self.members(base, "small"))?.first { ($0["url"] as? String)?.contains(":\(pa)/") == true }?["state"] as? String == "ejected"
        }
        #expect(ejected)
        for _ in 0..<3 {
            let r = try await Self.send(url, method: "POST", body: Self.chat("small", stream: false, maxTokens: 4))
            #expect(r.status == 200, "\(r.body)")
        }
        // llama-server is a member like any other.
        let served = try await Self.members(base, "small").first { ($0["url"] as? String)?.contains(":\(pl)/") == true }
        #expect((served?["requests"] as? Int ?? 0) >= 1, "\(String(describing: served))")

        // Back on its port, it rejoins after two healthy checks.
        a = try Self.serve(port: pa, ["--model", "smollm2-135m"])
        let back = try await ReplicaTests.eventually(60) {
            (try? await Self.members(base, "small"))?.first { ($0["url"] as? String)?.contains(":\(pa)/") == true }?["state"] as? String == "healthy"
        }
        #expect(back, "\(gateway.output.suffix(2000))")
        #expect(gateway.output.contains("is back in rotation"))
    }

    @Test(.timeLimit(.minutes(3)))
    func aDeadPoolFallsBackAndBadFlagsAreClearErrors() async throws {
        let port = Self.port()
        let gateway = try Self.serve(port: port, ["--model", "smollm2-135m", "--upstream", "big=http://127.0.0.1:1/v1#kazllm-8b",
                                                  "--fallback", "big=smollm2-135m"])
        defer { gateway.kill9() }
        let base = "http://127.0.0.1:\(port)"
        try await Self.waitReady(base)
        // An unreachable member at start: the server starts, and says so.
        #expect(gateway.output.contains("upstream big: http://127.0.0.1:1/v1 is out of rotation"), "\(gateway.output)")
        let r = try await Self.send(base + "/v1/chat/completions", method: "POST", body: Self.chat("big", stream: false, maxTokens: 4))
        #expect(r.status == 200 && r.headers["x-aqyl-fallback"] == "smollm2-135m", "\(r.status) \(r.headers) \(r.body)")
        #expect(r.body.contains(#""model":"smollm2-135m""#))
        let models = try await Self.send(base + "/v1/models").body
        #expect(models.contains(#""id":"big""#))

        for (arguments, message) in [
            (["--upstream", "a=ftp://h/v1"], "must be an http(s) URL"),
            (["--upstream", "a=http://h/v1#x", "--upstream", "a=http://g/v1#y"], "names two different remote models"),
            (["--upstream", "a=http://h/v1", "--upstream", "a=http://h/v1/"], "lists http://h/v1 twice"),
            (["--upstream", "a=http://h/v1", "--fallback", "b=smollm2-135m"], "--fallback names 'b'"),
            (["--upstream", "a=http://h/v1", "--fallback", "a=nomodel"], "is not a local model"),
            (["--upstream", "a=http://h/v1;weight=0"], "weight"),
            (["--upstream", "a=http://h/v1", "--upstream-attempts", "0"], "--upstream-attempts"),
        ] {
            let result = try ServePeerTests.run(Self.aqyl, ["serve", "--port", String(Self.port())] + arguments)
            #expect(result.status != 0 && result.output.contains(message), "\(arguments): \(result.output)")
        }
    }
}
