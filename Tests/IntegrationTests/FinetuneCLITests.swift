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
        CLI.expectUsageError(try CLI.run(["finetune", "-m", Self.smol, "--data", data, "--out", out, "--eval-split", "0.7"]),
                             mentions: "eval-split")
        CLI.expectCleanFailure(try CLI.run(["finetune", "-m", Self.smol, "--data", data, "--out", out, "--lora-dropout", "1"]),
                               mentions: "--lora-dropout must be in [0, 1)")
        CLI.expectCleanFailure(try CLI.run(["finetune", "-m", Self.smol, "--data", data, "--out", out, "--early-stop=-1"]),
                               mentions: "--early-stop")
        CLI.expectUsageError(try CLI.run(["finetune", "-m", Self.smol, "--data", data, "--out", out, "--keep", "first"]),
                             mentions: "keep")
        // An adapter for another model is refused, naming both.
        let adapter = FixturePaths.fixture("lora/smollm2-kk-r1.gguf").path
        CLI.expectCleanFailure(try CLI.run(["generate", "-m", FixturePaths.fixture("llama3-tiny/llama3-tiny.gguf").path,
                                            "--lora", adapter, "-p", "hi"]), mentions: "smollm2-kk-r1")
        CLI.expectCleanFailure(try CLI.run(["generate", "-m", Self.smol, "--lora", "/nonexistent.gguf", "-p", "hi"]), mentions: "nonexistent")
    }

    /// `--trace` writes what an outside trainer needs to replay the run: every step's
    /// sequences and learning rate, and the adapter before step 1 (B = 0).
    @Test func traceRecordsThePlan() throws {
        let data = try Self.file(String(repeating: "Алматы — әдемі қала. Астана — елорда. ", count: 30), "trace.txt")
        let out = NSTemporaryPath("traced.gguf"), dir = NSTemporaryPath("trace-dir")
        let r = try CLI.run(["finetune", "-m", Self.smol, "--data", data, "--out", out, "--steps", "3", "--rank", "2",
                             "--ctx", "32", "--lr", "1e-3", "-t", "2", "--quiet", "--trace", dir])
        #expect(r.status == 0, "\(r.stderr)")
        let trace = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/trace.json"))) as! [String: Any]
        let steps = trace["steps"] as! [[String: Any]]
        #expect(steps.count == 3)
        #expect(trace["clip_norm"] as? Double == 1)
        let first = (steps[0]["examples"] as! [[String: Any]])[0]
        #expect((first["tokens"] as! [Int]).count == 32 && (first["targets"] as! [Int]).count == 32)
        #expect((steps[0]["learning_rate"] as! Double) > (steps[2]["learning_rate"] as! Double))   // cosine decay
        let initial = try String(contentsOfFile: dir + "/initial.gguf", encoding: .isoLatin1)
        #expect(initial.hasPrefix("GGUF"))
        // The trained run's loss at step 1 is the loss of the traced step-1 sequences.
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: String(out.dropLast(5)) + ".run.json"))) as! [String: Any]
        #expect(((report["report"] as! [String: Any])["history"] as! [Any]).count == 3)
        CLI.expectCleanFailure(try CLI.run(["finetune", "-m", Self.smol, "--data", data, "--out", out, "--trace", dir,
                                            "--resume", String(out.dropLast(5)) + ".ckpt.gguf"]),
                               mentions: "cannot be combined with --resume")
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
