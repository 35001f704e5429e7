import Foundation
import Testing
import TestSupport

/// `aqyl finetune` and `--lora` refusals through the real binary, and a short
/// real run whose outputs llama.cpp-format readers accept.
@Suite(.serialized) struct FinetuneCLITests {
    typealias CLI = CLIBadInputTests
    static var smol: String { FixturePaths.model("smollm2-135m") }

    static func file(_ text: String, _ name: String) throws -> String {
        let p = NSTemporaryPath(name)
        try text.write(toFile: p, atomically: true, encoding: .utf8)
        return p
    }

    @Test func refusals() throws {
        let data = try Self.file("Алматы — әдемі қала. Астана — елорда.\n", "kk.txt")
        let out = NSTemporaryPath("a.gguf")
        CLI.expectCleanFailure(try CLI.run(["finetune", "-m", Self.smol, "--data", data, "--out", out, "--targets", "q,lm_head"]),
                               mentions: "unknown LoRA target 'lm_head'")
        CLI.expectCleanFailure(try CLI.run(["finetune", "-m", Self.smol, "--data", data, "--out", out, "--ctx", "100000"]),
                               mentions: "longer than the model's training context")
        CLI.expectCleanFailure(try CLI.run(["finetune", "-m", Self.smol, "--data", try Self.file("", "empty.txt"), "--out", out]),
                               mentions: "no training data")
        let bad = try Self.file(#"{"messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b"}]}"# + "\n{broken\n", "bad.jsonl")
        CLI.expectCleanFailure(try CLI.run(["finetune", "-m", Self.smol, "--data", bad, "--out", out, "--strict"]),
                               mentions: "bad.jsonl:2: not valid JSON")
        CLI.expectCleanFailure(try CLI.run(["finetune", "-m", Self.smol, "--data", data, "--out", out, "--resume", data]),
                               mentions: "not")
        // An adapter for another model is refused, naming both.
        let adapter = FixturePaths.fixture("lora/smollm2-kk-r1.gguf").path
        CLI.expectCleanFailure(try CLI.run(["generate", "-m", FixturePaths.fixture("llama3-tiny/llama3-tiny.gguf").path,
                                            "--lora", adapter, "-p", "hi"]), mentions: "smollm2-kk-r1")
        CLI.expectCleanFailure(try CLI.run(["generate", "-m", Self.smol, "--lora", "/nonexistent.gguf", "-p", "hi"]), mentions: "nonexistent")
    }

    /// Two steps on smollm2 with a malformed line skipped (not --strict): the
    /// adapter, loss curve (CSV and SVG), report and checkpoint are written, and
    /// the adapter runs with `generate --lora`.
    @Test func shortRunWritesEverything() throws {
        let good = #"{"messages":[{"role":"user","content":"Сәлем!"},{"role":"assistant","content":"Сәлеметсіз бе!"}]}"#
        let data = try Self.file([good, "{broken", good].joined(separator: "\n"), "chat.jsonl")
        let out = NSTemporaryPath("kk.gguf")
        let r = try CLI.run(["finetune", "-m", Self.smol, "--data", data, "--eval", data, "--out", out, "--steps", "2",
                             "--rank", "2", "--ctx", "64", "-t", "2", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("chat.jsonl:2: not valid JSON"))
        let stem = String(out.dropLast(5))
        for ext in [".gguf", ".loss.csv", ".loss.svg", ".run.json", ".ckpt.gguf"] {
            #expect(FileManager.default.fileExists(atPath: stem + ext), "\(ext)")
        }
        let csv = try String(contentsOfFile: stem + ".loss.csv", encoding: .utf8)
        // Header, step 0 (eval before training), two steps.
        #expect(csv.split(separator: "\n").count == 4)
        #expect(try String(contentsOfFile: stem + ".loss.svg", encoding: .utf8).contains("<polyline"))
        let gen = try CLI.run(["generate", "-m", Self.smol, "--lora", out + ":0.5", "-p", "Сәлем", "--max-tokens", "3", "-t", "2"])
        #expect(gen.status == 0, "\(gen.stderr)")
        #expect(gen.stderr.contains("kk' (rank 2, alpha 16.0, scale 0.5"))
    }
}
