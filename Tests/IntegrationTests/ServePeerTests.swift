import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TestSupport

/// The real `aqyl serve` binary, checked by real peers: the official `openai`
/// Python client (scripts/openai_client_check.py, installed by .ci/run), and a
/// SIGTERM while a stream is in flight.
@Suite(.serialized) struct ServePeerTests {
    static var packageRoot: URL {
        FixturePaths.fixturesRoot.deletingLastPathComponent().deletingLastPathComponent()
    }

    /// A running server on a random port with a fresh data directory.
    final class RunningServer {
        let process = Process()
        let port = FreePort.next()
        let output = Pipe()
        var base: String { "http://127.0.0.1:\(port)" }

        init(model: String, extra: [String] = [], data: URL? = nil) throws {
            let data = data ?? FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-peer-\(UUID().uuidString)")
            process.executableURL = ServePeerTests.packageRoot.appendingPathComponent(".build/debug/aqyl")
            process.arguments = ["serve", "--model", model, "--port", String(port), "--data", data.path, "--threads", "2"] + extra
            process.standardOutput = output
            process.standardError = output
            try process.run()
        }

        struct NotReady: Error, CustomStringConvertible {
            var description: String
        }

        /// Polls /health for up to 60 s; if the server exits or never answers, the
        /// error carries its output (a port already taken, a load failure, ...).
        func waitUntilReady() async throws {
            for _ in 0..<300 {
                if let url = URL(string: base + "/health"), let (_, response) = try? await URLSession.shared.data(from: url),
                   (response as? HTTPURLResponse)?.statusCode == 200 { return }
                if !process.isRunning { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            let exited = !process.isRunning
            stop()
            process.waitUntilExit()
            let log = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw NotReady(description: "aqyl serve on port \(port) \(exited ? "exited with status \(process.terminationStatus)" : "was not ready after 60 s"): \(log.suffix(2000))")
        }

        func stop() {
            if process.isRunning { process.terminate() }
        }
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [executable] + arguments
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func officialOpenAIClient() async throws {
        let check = try Self.run("python3", ["-c", "import openai"])
        try #require(check.status == 0, "the `openai` Python package is missing (.ci/run installs it): \(check.output)")
        let server = try RunningServer(model: "smollm2-135m")
        defer { server.stop() }
        try await server.waitUntilReady()
        let script = Self.packageRoot.appendingPathComponent("scripts/openai_client_check.py").path
        let result = try Self.run("python3", [script, "--base-url", server.base, "--model", "smollm2-135m"])
        print(result.output)
        #expect(result.status == 0, "\(result.output)")
    }

    /// Structured outputs checked from outside (scripts/json_schema_check.py): the official
    /// client asks for 20 `json_schema` answers per schema at temperature 1, and Python's
    /// `jsonschema` validates every one; `chat.completions.parse` with a Pydantic model; an
    /// unsupported keyword is a 400 naming it.
    @Test func jsonSchemaOutputsValidateIndependently() async throws {
        let check = try Self.run("python3", ["-c", "import openai, jsonschema, pydantic"])
        try #require(check.status == 0, "openai, jsonschema or pydantic is missing (.ci/run installs them): \(check.output)")
        let server = try RunningServer(model: "smollm2-135m", extra: ["--parallel", "4"])
        defer { server.stop() }
        try await server.waitUntilReady()
        let script = Self.packageRoot.appendingPathComponent("scripts/json_schema_check.py").path
        let result = try Self.run("python3", [script, "--base-url", server.base + "/v1", "--model", "smollm2-135m", "--samples", "20"])
        print(result.output)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("\"valid\": 20"))
    }

    /// Tool calling checked from outside (scripts/openai_tools_check.py): a two-turn round
    /// trip on Qwen2.5 (its template renders tools), streamed and not; forced calls on
    /// SmolLM2 (no tool support in its template) whose arguments validate with `jsonschema`.
    @Test func toolCallsWithTheOfficialClient() async throws {
        let check = try Self.run("python3", ["-c", "import openai, jsonschema"])
        try #require(check.status == 0, "openai or jsonschema is missing (.ci/run installs them): \(check.output)")
        let server = try RunningServer(model: "qwen2.5-coder-0.5b", extra: ["--model", "smollm2-135m"])
        defer { server.stop() }
        try await server.waitUntilReady()
        let script = Self.packageRoot.appendingPathComponent("scripts/openai_tools_check.py").path
        let result = try Self.run("python3", [script, "--base-url", server.base, "--model", "qwen2.5-coder-0.5b", "--tiny", "smollm2-135m"])
        print(result.output)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("all tool checks passed"))
    }

    @Test func sigtermLetsTheStreamFinish() async throws {
        let server = try RunningServer(model: "smollm2-135m")
        defer { server.stop() }
        try await server.waitUntilReady()
        var request = URLRequest(url: try #require(URL(string: server.base + "/v1/chat/completions")))
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(#"{"model":"smollm2-135m","messages":[{"role":"user","content":"Tell me about Almaty."}],"max_tokens":60,"temperature":0,"stream":true}"#.utf8)
        async let body = URLSession.shared.data(for: request)
        try await Task.sleep(for: .milliseconds(400))
        kill(server.process.processIdentifier, SIGTERM)
        let (data, _) = try await body
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.hasSuffix("data: [DONE]\n\n"), "the stream was cut: \(text.suffix(200))")
        #expect(text.contains(#""finish_reason":"length""#))
        server.process.waitUntilExit()
        #expect(server.process.terminationStatus == 0)
    }

    @Test func busyServerAnswers503WithRetryAfter() async throws {
        let server = try RunningServer(model: "smollm2-135m", extra: ["--parallel", "1", "--queue", "0"])
        defer { server.stop() }
        try await server.waitUntilReady()
        func request(_ body: String) throws -> URLRequest {
            var r = URLRequest(url: try #require(URL(string: server.base + "/v1/chat/completions")))
            r.httpMethod = "POST"
            r.setValue("application/json", forHTTPHeaderField: "Content-Type")
            r.httpBody = Data(body.utf8)
            return r
        }
        // A long generation holds the only slot (end of text banned so it cannot stop early).
        let long = try request(#"{"model":"smollm2-135m","messages":[{"role":"user","content":"Write a long story."}],"max_tokens":300,"logit_bias":{"0":-100,"1":-100,"2":-100}}"#)
        async let first = URLSession.shared.data(for: long)
        var statuses: [Int] = []
        for _ in 0..<50 {
            try await Task.sleep(for: .milliseconds(100))
            let (data, response) = try await URLSession.shared.data(for: try request(#"{"model":"smollm2-135m","messages":[{"role":"user","content":"hi"}],"max_tokens":1}"#))
            let http = try #require(response as? HTTPURLResponse)
            statuses.append(http.statusCode)
            if http.statusCode == 503 {
                #expect(http.value(forHTTPHeaderField: "Retry-After") != nil)
                #expect(String(decoding: data, as: UTF8.self).contains(#""code":"overloaded""#))
                break
            }
        }
        #expect(statuses.last == 503, "\(statuses)")
        _ = try await first
    }
}
