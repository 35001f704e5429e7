import Foundation
import Testing
@testable import Templates

/// Compares renders against Python jinja2 goldens (scripts/gen_template_fixtures.py).
struct GoldenTests {
    struct Case {
        var template: String
        var name: String
        var context: [String: TemplateValue]
        var expected: String?
        var error: String?
    }

    static func loadCases(_ url: URL = Fixtures.templatesDir.appendingPathComponent("expected.json")) throws -> [Case] {
        let text = try String(contentsOf: url, encoding: .utf8)
        guard case .array(let items) = try TemplateValue(json: text) else { return [] }
        return items.compactMap { item -> Case? in
            guard case .object(let o) = item, case .string(let t)? = o["template"], case .string(let n)? = o["name"],
                  case .object(let ctx)? = o["context"] else { return nil }
            var context: [String: TemplateValue] = [:]
            for (k, v) in ctx.pairs { context[k] = v }
            var expected: String?
            var error: String?
            if case .string(let e)? = o["expected"] { expected = e }
            if case .string(let e)? = o["error"] { error = e }
            return Case(template: t, name: n, context: context, expected: expected, error: error)
        }
    }

    @Test func matchesJinja2ByteForByte() throws {
        let cases = try Self.loadCases()
        #expect(cases.count > 100)
        try Self.check(cases)
    }

    /// Extra goldens in the same format (template paths may be absolute), e.g. made locally over a
    /// whole template collection: TEMPLATES_EXTRA_GOLDEN=/path/to/cases.json swift test --filter GoldenTests
    @Test func extraGoldens() throws {
        guard let path = ProcessInfo.processInfo.environment["TEMPLATES_EXTRA_GOLDEN"] else { return }
        try Self.check(try Self.loadCases(URL(fileURLWithPath: path)))
    }

    static func check(_ cases: [Case]) throws {
        var templates: [String: ChatTemplate] = [:]
        var failures: [String] = []
        for c in cases {
            let t: ChatTemplate
            if let cached = templates[c.template] { t = cached } else {
                let src = c.template.hasPrefix("/") ? try String(contentsOfFile: c.template, encoding: .utf8)
                    : try Fixtures.template(c.template)
                do { t = try ChatTemplate(source: src) } catch {
                    Issue.record("\(c.template): \(error)")
                    continue
                }
                templates[c.template] = t
            }
            do {
                let got = try t.render(c.context)
                if let expected = c.expected {
                    if got != expected { failures.append("\(c.template) [\(c.name)]:\n--- got\n\(got)\n--- expected\n\(expected)") }
                } else {
                    failures.append("\(c.template) [\(c.name)]: expected error \(c.error ?? "")")
                }
            } catch let e as TemplateError {
                if let err = c.error {
                    if !err.hasPrefix("!") && e != .raised(err) { failures.append("\(c.template) [\(c.name)]: \(e) != \(err)") }
                } else {
                    failures.append("\(c.template) [\(c.name)]: threw \(e)")
                }
            }
        }
        for f in failures { Issue.record(Comment(rawValue: f)) }
    }

    /// The messages API must agree with the context API (and thus with jinja2).
    @Test func messagesAPI() throws {
        let t = try ChatTemplate(source: try Fixtures.template("smollm2.jinja"))
        let got = try t.render(messages: [ChatMessage(role: "user", content: "Сәлем! Қалайсың?")], addGenerationPrompt: true,
                               bosToken: "", eosToken: "<|im_end|>")
        #expect(got == "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"
            + "<|im_start|>user\nСәлем! Қалайсың?<|im_end|>\n<|im_start|>assistant\n")
        let g = try ChatTemplate(source: try Fixtures.template("gemma3.jinja"))
        let msgs = [ChatMessage(role: "system", content: "Sys"), ChatMessage(role: "user", content: " Hi "),
                    ChatMessage(role: "assistant", content: "Yo")]
        #expect(try g.render(messages: msgs, addGenerationPrompt: false, bosToken: "<bos>", eosToken: "<eos>")
            == "<bos><start_of_turn>user\nSys\n\nHi<end_of_turn>\n<start_of_turn>model\nYo<end_of_turn>\n")
    }

    @Test func everyCommittedTemplateParses() throws {
        let names = try Fixtures.templateNames()
        #expect(names.count >= 10)
        for n in names {
            #expect(throws: Never.self, "\(n)") { _ = try ChatTemplate(source: try Fixtures.template(n)) }
        }
    }

    /// Robustness over llama.cpp's whole template collection when it is available locally: parsing and
    /// rendering may throw typed errors but must never crash.
    @Test func llamaCppTemplatesDoNotCrash() throws {
        let dir = "/work/tmp/dl/sdx/llama_cpp_python-0.3.36/vendor/llama.cpp/models/templates"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return }
        let msgs = [ChatMessage(role: "system", content: "S"), ChatMessage(role: "user", content: "Сәлем"),
                    ChatMessage(role: "assistant", content: "Hi"), ChatMessage(role: "user", content: "Bye")]
        var parsed = 0, rendered = 0
        var problems: [String] = []
        for n in names.sorted() where n.hasSuffix(".jinja") {
            guard let src = try? String(contentsOfFile: dir + "/" + n, encoding: .utf8) else { continue }
            do {
                let t = try ChatTemplate(source: src)
                parsed += 1
                _ = try t.render(messages: msgs, addGenerationPrompt: true, bosToken: "<s>", eosToken: "</s>")
                rendered += 1
            } catch let e as TemplateError {
                problems.append("\(n): \(e)")
            }
        }
        print("llama.cpp templates: parsed \(parsed), rendered \(rendered)\n" + problems.joined(separator: "\n"))
    }
}
