import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GGUF
import Testing
import TestSupport

/// Hostile chat templates in otherwise valid GGUF files (the SmolLM2 file with only
/// `tokenizer.chat_template` replaced), through the real binary: refused at load with the
/// limit or the parser's message, never a hang or gigabytes of memory (issue 13).
@Suite(.serialized) struct HostileTemplateServeTests {
    static var aqyl: String { ServePeerTests.packageRoot.appendingPathComponent(".build/debug/aqyl").path }

    static let hostile: [(name: String, template: String, mentions: String)] = [
        ("recursive-macro", "{% macro f(n) %}{{ f(n) }}{{ f(n) }}{% endmacro %}{{ f(1) }}", "chat template exceeded"),
        ("doubling", "{% set ns = namespace(s='x') %}{% for i in range(100) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}",
         "chat template exceeded"),
        ("replace-amplifier", "{% set ns = namespace(s='xx') %}{% for i in range(60) %}{% set ns.s = ns.s | replace('x', 'xxxx') %}{% endfor %}{{ ns.s }}",
         "chat template exceeded"),
        ("big-string-each-iteration", "{% for i in range(1000000) %}{% set s = 'x' * 30000000 %}{% endfor %}", "chat template exceeded"),
        ("huge-loop", "{% for i in range(100000000) %}{{ i }}{% endfor %}", "chat template exceeded"),
        ("multiply-10MB", "{{ 'x' * 10000000 }}{{ 'y' * 10000000 }}", "chat template exceeded"),
        ("dunder", "{{ ''.__class__.__mro__ }}", "template"),
        ("parse-error", "{% for m in %}{{ m }}", "template syntax error"),
    ]

    /// The SmolLM2 file with `template` as its chat template, in a temporary directory.
    static func file(_ name: String, _ template: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("\(name).gguf").path
        try GGUFCopy.write(from: FixturePaths.model("smollm2-135m"), to: path,
                           setting: ["tokenizer.chat_template": .string(template)])
        return path
    }

    /// Runs the binary with a wall-clock limit; returns status, output, seconds, peak RSS in MiB.
    static func run(_ arguments: [String], stdin: String = "", limit: Double = 60) throws
        -> (status: Int32, output: String, seconds: Double, peakMiB: Double) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/time")
        p.arguments = ["-f", "PEAK_KB=%M", aqyl] + arguments
        let out = Pipe(), input = Pipe()
        p.standardOutput = out
        p.standardError = out
        p.standardInput = input
        let start = Date()
        try p.run()
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try? input.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(limit)
        while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let kb = text.split(separator: "\n").last { $0.hasPrefix("PEAK_KB=") }.flatMap { Double($0.dropFirst(8)) } ?? 0
        return (p.terminationStatus, text, Date().timeIntervalSince(start), kb / 1024)
    }

    @Test func chatRefusesEachHostileTemplateQuickly() throws {
        try #require(FileManager.default.fileExists(atPath: "/usr/bin/time"), "GNU time is needed to measure peak memory")
        for (name, template, mentions) in Self.hostile {
            let path = try Self.file(name, template)
            let r = try Self.run(["chat", "--model", path], stdin: "hi\n/exit\n")
            print("hostile template \(name): exit \(r.status), \(String(format: "%.2f", r.seconds)) s, peak \(Int(r.peakMiB)) MiB")
            #expect(r.status != 0 && r.status != 9, "\(name): \(r.output)")
            #expect(r.output.contains(mentions), "\(name): \(r.output)")
            #expect(r.seconds < 30, "\(name) took \(r.seconds) s")
            #expect(r.peakMiB < 1024, "\(name) peaked at \(r.peakMiB) MiB")
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    @Test func serveWithOneBrokenModelRefusesToStart() throws {
        let path = try Self.file("parse-error", "{% for m in %}")
        let r = try Self.run(["serve", "--model", path, "--port", String(FreePort.next()),
                              "--data", FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-h-\(UUID().uuidString)").path])
        #expect(r.status != 0, "\(r.output)")
        #expect(r.output.contains("chat template is refused") && r.output.contains("line 1"), "\(r.output)")
    }

    /// With several models the others are served, and the broken one is named in /health and in its answers.
    @Test func serveWithSeveralModelsNamesTheBrokenTemplate() async throws {
        let path = try Self.file("looping", "{% macro f(n) %}{{ f(n) }}{{ f(n) }}{% endmacro %}{{ f(1) }}")
        let server = try ServePeerTests.RunningServer(model: "smollm2-135m", extra: ["--model", path])
        defer { server.stop() }
        try await server.waitUntilReady()
        let (health, _) = try await URLSession.shared.data(from: try #require(URL(string: server.base + "/health")))
        let models = try #require((try JSONSerialization.jsonObject(with: health) as? [String: Any])?["models"] as? [String: [String: Any]])
        #expect(models["smollm2-135m"]?["chat_template_error"] == nil)
        let broken = try #require(models["looping"]?["chat_template_error"] as? String)
        #expect(broken.contains("chat template exceeded"), "\(broken)")
        for (model, expected) in [("looping", 500), ("smollm2-135m", 200)] {
            var r = URLRequest(url: try #require(URL(string: server.base + "/v1/chat/completions")))
            r.httpMethod = "POST"
            r.setValue("application/json", forHTTPHeaderField: "Content-Type")
            r.httpBody = Data(#"{"model":"\#(model)","messages":[{"role":"user","content":"hi"}],"max_tokens":2}"#.utf8)
            let (body, response) = try await URLSession.shared.data(for: r)
            #expect((response as? HTTPURLResponse)?.statusCode == expected, "\(model): \(String(decoding: body, as: UTF8.self))")
            if expected == 500 { #expect(String(decoding: body, as: UTF8.self).contains("chat template")) }
        }
    }

    /// SIGTERM during a long generation ends the process within a few seconds (the grace, then
    /// generations are cancelled), and the ledger verifies afterwards.
    @Test func sigtermDuringALongGenerationEndsWithinSeconds() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-term-\(UUID().uuidString)")
        let server = try ServePeerTests.RunningServer(model: "smollm2-135m", extra: ["--shutdown-grace", "1"], data: data)
        defer { server.stop() }
        try await server.waitUntilReady()
        var r = URLRequest(url: try #require(URL(string: server.base + "/v1/chat/completions")))
        r.httpMethod = "POST"
        r.setValue("application/json", forHTTPHeaderField: "Content-Type")
        r.httpBody = Data(#"{"model":"smollm2-135m","messages":[{"role":"user","content":"Write a very long story."}],"max_tokens":4000,"stream":true,"temperature":1,"seed":3}"#.utf8)
        let streaming = Task { try? await URLSession.shared.data(for: r) }
        try await Task.sleep(for: .seconds(2))
        let start = Date()
        kill(server.process.processIdentifier, SIGTERM)
        while server.process.isRunning && Date().timeIntervalSince(start) < 20 { try await Task.sleep(for: .milliseconds(50)) }
        let seconds = Date().timeIntervalSince(start)
        print("SIGTERM during a 4000-token stream: exited after \(String(format: "%.2f", seconds)) s")
        #expect(!server.process.isRunning)
        #expect(seconds < 8, "took \(seconds) s")
        _ = await streaming.value
        let verify = try ServePeerTests.run(Self.aqyl, ["stats", "verify", "--data", data.path])
        #expect(verify.status == 0, "\(verify.output)")
    }
}
