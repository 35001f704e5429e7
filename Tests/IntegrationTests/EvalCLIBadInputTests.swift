import Foundation
import Testing
import TestSupport

/// Bad input to `aqyl eval` through the real binary: one `aqyl: error:` line, exit 1.
@Suite struct EvalCLIBadInputTests {
    static func temp(_ name: String, _ text: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-evalbad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    static func fails(_ args: [String], saying expected: String) throws {
        let (status, output) = try ServePeerTests.run(EvalEndpointTests.aqyl, args)
        #expect(status == 1, "\(args): \(output)")
        #expect(output.contains("aqyl: error: "), "\(output)")
        #expect(output.contains(expected), "expected '\(expected)' in: \(output)")
    }

    @Test func badTaskLinesAndFiles() throws {
        let bad = try Self.temp("bad.jsonl", """
        {"question":"2+2?","choices":["3","4"],"answer":1}
        {"question":"missing choices"}
        """)
        try Self.fails(["eval", "run", "--model", "smollm2-135m", "--tasks", bad, "--strict"],
                       saying: "bad.jsonl:2: 'choices' must be an array of at least two strings")
        let empty = try Self.temp("empty.jsonl", "")
        try Self.fails(["eval", "run", "--model", "smollm2-135m", "--tasks", empty], saying: "empty.jsonl: no items")
        try Self.fails(["eval", "run", "--model", "smollm2-135m", "--tasks", "/nonexistent/tasks"], saying: "no such file or directory")
        // Argument errors are usage errors (ArgumentParser: exit 64, with the usage text).
        let (status, output) = try ServePeerTests.run(EvalEndpointTests.aqyl, ["eval", "run", "--tasks", bad])
        #expect(status == 64)
        #expect(output.contains("give exactly one of --model and --endpoint"))
    }

    @Test func badPerplexityInput() throws {
        let empty = try Self.temp("empty.txt", "  \n")
        try Self.fails(["eval", "perplexity", "--model", "smollm2-135m", "--file", empty], saying: "the file is empty")
        let short = try Self.temp("short.txt", "Қысқа мәтін.")
        try Self.fails(["eval", "perplexity", "--model", "smollm2-135m", "--file", short, "--ctx", "128", "--llama-compatible"],
                       saying: "this protocol needs at least 256")
        try Self.fails(["eval", "perplexity", "--model", "smollm2-135m", "--file", "/nonexistent.txt"], saying: "cannot read the file")
    }

    @Test func mixedProtocolsAreRefused() throws {
        func report(_ shots: Int) throws -> String {
            let json = """
            {"tool":"aqyl eval","created":"x","warnings":[],"model":{"label":"m\(shots)","location":"local","model":"m","adapters":[]},
             "results":[{"seconds":0,"samples":[],"metrics":[{"name":"acc","value":0.5,"stderr":0.1,"stderr_method":"binomial","higher_is_better":true}],
             "protocol":{"task":"kk_mc","task_type":"multiple_choice","items":36,"items_digest":"ab","shots":\(shots),
                         "fewshot_sampling":"none","scoring":"loglikelihood","normalization":"n","template":"kk-cloze-v1"}}]}
            """
            return try Self.temp("r\(shots).json", json)
        }
        try Self.fails(["eval", "compare", "--results", try report(0), try report(5)],
                       saying: "refusing to put 'kk_mc' numbers from different protocols side by side")
    }
}
