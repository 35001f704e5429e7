import Foundation
import Testing
@testable import Evaluation

@Suite struct ComparisonTableTests {
    func report(_ label: String, digest: String = "00000000000000aa", acc: Double, shots: Int = 0) -> EvalReport {
        let p = EvalProtocol(task: "kk_mc", taskType: "multiple_choice", items: 36, itemsDigest: digest, shots: shots,
                             fewshotSampling: "none", scoring: "loglikelihood", normalization: "n", template: "kk-cloze-v1")
        let m = MetricValue(name: "acc", value: acc, standardError: 0.08, standardErrorMethod: "binomial", higherIsBetter: true)
        return EvalReport(tool: "t", created: "now", model: ModelIdentity(label: label, location: "local", model: label + ".gguf"),
                          results: [TaskResult(evalProtocol: p, metrics: [m], samples: [], seconds: 0)], warnings: [])
    }

    @Test func sameProtocolSharesARow() throws {
        let table = try ComparisonTable(reports: [report("base", acc: 0.25), report("base+kk<1>", acc: 0.5)])
        #expect(table.rows.count == 1)
        #expect(table.markdown.contains("| kk_mc | acc % | 25.0 ± 8.0 | 50.0 ± 8.0 |"))
        let html = ComparisonHTML.render(table)
        #expect(html.contains("<svg"))
        #expect(html.contains("base+kk&lt;1&gt;"))
        #expect(!html.contains("kk<1>"))
    }

    @Test func differentProtocolsAreRefused() {
        #expect(throws: EvaluationError.self) {
            _ = try ComparisonTable(reports: [report("a", acc: 0.25), report("b", acc: 0.5, shots: 5)])
        }
        #expect(throws: EvaluationError.self) {
            _ = try ComparisonTable(reports: [report("a", acc: 0.25), report("b", digest: "00000000000000bb", acc: 0.5)])
        }
    }

    @Test func reportsRoundTripThroughJSON() throws {
        let r = report("a", acc: 0.25)
        let decoded = try JSONDecoder().decode(EvalReport.self, from: Data(try ReportFormatter.json(r).utf8))
        #expect(decoded == r)
        #expect(try ReportFormatter.json(r).contains("\"protocol\""))
    }

    @Test func compareConfigYAML() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cmp-\(UUID().uuidString).yaml")
        try """
        tasks: data/eval/smoke
        shots: 1
        models:
          - name: base
            model: smollm2-135m
          - name: base+kk
            model: smollm2-135m
            lora: [kk.gguf:0.5]
          - name: remote
            endpoint: http://localhost:8000/v1
            endpoint_model: KazLLM-8B
        """.write(to: url, atomically: true, encoding: .utf8)
        let c = try CompareConfig.load(path: url.path)
        #expect(c.shots == 1)
        #expect(c.models.count == 3)
        #expect(c.models[1].lora == ["kk.gguf:0.5"])
        #expect(c.models[2].endpointModel == "KazLLM-8B")
        try "tasks: x\nmodels:\n  - model: a\n    endpoint: http://b\n".write(to: url, atomically: true, encoding: .utf8)
        #expect(throws: EvaluationError.self) { _ = try CompareConfig.load(path: url.path) }
    }
}
