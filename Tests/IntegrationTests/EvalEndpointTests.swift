import Foundation
import Testing
import TestSupport

/// `aqyl eval run --endpoint` against a running `aqyl serve` gives the local
/// model's log-likelihood scores; a server without echo is called unsuitable.
@Suite(.serialized) struct EvalEndpointTests {
    static var aqyl: String { ServePeerTests.packageRoot.appendingPathComponent(".build/debug/aqyl").path }
    static var smoke: String { ServePeerTests.packageRoot.appendingPathComponent("data/eval/smoke").path }

    struct Report: Decodable {
        struct Result: Decodable {
            struct Metric: Decodable { var name: String; var value: Double }
            struct Sample: Decodable { var id: String; var scores: [Double]; var prediction: String }
            var metrics: [Metric]
            var samples: [Sample]
        }
        var results: [Result]
    }

    static func evalRun(_ args: [String], out: String) throws -> (status: Int32, output: String, report: Report?) {
        let (status, output) = try ServePeerTests.run(aqyl, ["eval", "run", "--out", out, "--threads", "2"] + args)
        let report = try? JSONDecoder().decode(Report.self, from: Data(contentsOf: URL(fileURLWithPath: out)))
        return (status, output, report)
    }

    @Test func endpointMatchesLocalScores() async throws {
        let server = try ServePeerTests.RunningServer(model: "smollm2-135m", extra: ["--ctx", "1024"])
        defer { server.stop() }
        try await server.waitUntilReady()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-eval-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        // Multiple choice (log-likelihood) and perplexity tasks, the first items of each.
        let tasks = dir.appendingPathComponent("tasks")
        try FileManager.default.createDirectory(at: tasks, withIntermediateDirectories: true)
        for name in ["kk_mc.jsonl", "kk_ppl.jsonl"] {
            let lines = try String(contentsOfFile: Self.smoke + "/" + name, encoding: .utf8).split(separator: "\n").prefix(6)
            try (lines.joined(separator: "\n") + "\n").write(to: tasks.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let common = ["--tasks", tasks.path, "--ctx", "1024", "--shots", "1"]
        let local = try Self.evalRun(["--model", "smollm2-135m"] + common, out: dir.appendingPathComponent("local.json").path)
        #expect(local.status == 0, "\(local.output)")
        let remote = try Self.evalRun(["--endpoint", server.base + "/v1"] + common, out: dir.appendingPathComponent("remote.json").path)
        #expect(remote.status == 0, "\(remote.output)")
        let l = try #require(local.report), r = try #require(remote.report)
        #expect(l.results.count == 2 && r.results.count == 2)
        var worst = 0.0
        var compared = 0
        for (a, b) in zip(l.results, r.results) {
            for (x, y) in zip(a.samples, b.samples) {
                #expect(x.id == y.id)
                #expect(x.scores.count == y.scores.count)
                for (p, q) in zip(x.scores, y.scores) {
                    worst = max(worst, abs(p - q) / max(1, abs(p)))
                    compared += 1
                }
                if a.samples.first?.scores.count ?? 0 > 1 { #expect(x.prediction == y.prediction) }
            }
            for (m, n) in zip(a.metrics, b.metrics) where m.name == "acc" || m.name == "acc_norm" { #expect(m.value == n.value) }
        }
        print("endpoint vs local: \(compared) log-likelihoods, worst relative difference \(worst)")
        #expect(compared > 20)
        #expect(worst < 1e-4)
        // The two reports share protocols, so they compare side by side.
        let (status, table) = try ServePeerTests.run(Self.aqyl, ["eval", "compare", "--results",
                                                                 dir.appendingPathComponent("local.json").path,
                                                                 dir.appendingPathComponent("remote.json").path])
        #expect(status == 0, "\(table)")
        #expect(table.contains("| kk_mc | acc %"))
    }

    @Test func unreachableEndpointIsAClearError() throws {
        let (status, output) = try ServePeerTests.run(Self.aqyl, ["eval", "run", "--endpoint", "http://127.0.0.1:9/v1",
                                                                  "--tasks", Self.smoke + "/kk_mc.jsonl", "--limit", "2"])
        #expect(status == 1)
        #expect(output.contains("aqyl: error: cannot reach http://127.0.0.1:9"), "\(output)")
    }
}

/// `aqyl eval compare` on flags: base and base+adapter side by side, with the HTML page.
@Suite struct EvalCompareCLITests {
    @Test func baseAndAdapterSideBySide() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-compare-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let task = dir.appendingPathComponent("kk_ppl.jsonl")
        let lines = try String(contentsOfFile: EvalEndpointTests.smoke + "/kk_ppl.jsonl", encoding: .utf8).split(separator: "\n").prefix(3)
        try (lines.joined(separator: "\n") + "\n").write(to: task, atomically: true, encoding: .utf8)
        let adapter = FixturePaths.fixture("lora/smollm2-kk-r1.gguf").path
        let html = dir.appendingPathComponent("compare.html").path
        let (status, output) = try ServePeerTests.run(EvalEndpointTests.aqyl, [
            "eval", "compare", "--tasks", task.path, "--model", "smollm2-135m", "--model", "smollm2-135m+\(adapter)",
            "--ctx", "512", "--threads", "2", "--html", html, "--json"])
        #expect(status == 0, "\(output)")
        let start = try #require(output.firstIndex(of: "{"))
        let json = String(output[start...])
        let table = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let models = try #require(table["models"] as? [[String: Any]])
        #expect(models.map { $0["label"] as? String } == ["smollm2-135m", "smollm2-135m+smollm2-kk-r1"])
        let rows = try #require(table["rows"] as? [[String: Any]])
        let bpb = try #require(rows.first { $0["metric"] as? String == "bits_per_byte" })
        let values = try #require(bpb["values"] as? [[String: Any]])
        let base = try #require(values[0]["value"] as? Double), adapted = try #require(values[1]["value"] as? Double)
        #expect(base > 0 && adapted > 0)
        #expect(abs(base - adapted) > 1e-4, "the adapter changes the numbers")
        let page = try String(contentsOfFile: html, encoding: .utf8)
        #expect(page.contains("<svg") && page.contains("smollm2-135m+smollm2-kk-r1"))
    }
}
