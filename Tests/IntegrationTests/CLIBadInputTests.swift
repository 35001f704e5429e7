import Testing
import Foundation
import TestSupport

/// Bad input through the real binary: one line on stderr, a non-zero exit, never a crash.
@Suite(.serialized) struct CLIBadInputTests {
    static var binary: String {
        let root = FixturePaths.fixturesRoot.deletingLastPathComponent().deletingLastPathComponent()
        for config in ["debug", "release"] {
            let p = root.appendingPathComponent(".build/\(config)/aqyl").path
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return root.appendingPathComponent(".build/debug/aqyl").path
    }

    struct Run { var status: Int32; var stdout: String; var stderr: String }

    static func run(_ args: [String], shell: String? = nil) throws -> Run {
        let p = Process()
        if let shell {
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", shell, binary]
        } else {
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = args
        }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Run(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    /// Exit status 1 or 2 (not a signal) and exactly one `aqyl: error:` line naming the problem.
    static func expectCleanFailure(_ r: Run, mentions: String) {
        #expect(r.status == 1 || r.status == 2, "status \(r.status)")
        let lines = r.stderr.split(separator: "\n").filter { $0.hasPrefix("aqyl: error:") }
        #expect(lines.count == 1, "stderr: \(r.stderr)")
        #expect(r.stderr.lowercased().contains(mentions.lowercased()), "stderr: \(r.stderr)")
    }

    /// A usage error caught by the argument parser: EX_USAGE (64) and its message naming the option.
    static func expectUsageError(_ r: Run, mentions: String) {
        #expect(r.status == 64, "status \(r.status): \(r.stderr)")
        #expect(r.stderr.lowercased().contains(mentions.lowercased()), "stderr: \(r.stderr)")
    }

    @Test func missingFile() throws {
        Self.expectCleanFailure(try Self.run(["generate", "-m", "/nonexistent/model.gguf", "-p", "hi"]), mentions: "not found")
    }

    @Test func notAGGUF() throws {
        let path = NSTemporaryPath("random.gguf")
        try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }).write(to: URL(fileURLWithPath: path))
        Self.expectCleanFailure(try Self.run(["generate", "-m", path, "-p", "hi"]), mentions: "not a GGUF")
    }

    @Test func truncatedFile() throws {
        let full = try Data(contentsOf: FixturePaths.fixture("llama3-tiny/llama3-tiny.gguf"))
        let path = NSTemporaryPath("truncated.gguf")
        try full.prefix(full.count / 2).write(to: URL(fileURLWithPath: path))
        Self.expectCleanFailure(try Self.run(["generate", "-m", path, "-p", "hi"]), mentions: "truncated")
    }

    @Test func unsupportedArchitecture() throws {
        var w = GGUFWriterBox.tinyWithArchitecture("mamba")
        let path = NSTemporaryPath("mamba.gguf")
        try w.write(to: path)
        Self.expectCleanFailure(try Self.run(["generate", "-m", path, "-p", "hi"]), mentions: "unsupported architecture")
        w = GGUFWriterBox.tinyWithArchitecture("llama", pre: "klingon")
        let path2 = NSTemporaryPath("klingon.gguf")
        try w.write(to: path2)
        Self.expectCleanFailure(try Self.run(["tokenize", "-m", path2, "--text", "hi"]), mentions: "klingon")
    }

    @Test func promptLongerThanContext() throws {
        let model = FixturePaths.fixture("llama3-tiny/llama3-tiny.gguf").path
        let prompt = String(repeating: "word ", count: 200)
        Self.expectCleanFailure(try Self.run(["generate", "-m", model, "-p", prompt, "--ctx", "32"]), mentions: "context")
    }

    @Test func nonUTF8Argument() throws {
        Self.expectCleanFailure(try Self.run([], shell: "\"$0\" generate -p \"$(printf '\\377\\376')\""), mentions: "UTF-8")
    }

    @Test func unknownModelName() throws {
        Self.expectCleanFailure(try Self.run(["tokenize", "-m", "no-such-model", "--text", "x"]), mentions: "smollm2-135m")
    }

    /// `--numerics` takes only its two values; `bench -d` must fit the context; threads ≥ 1.
    @Test func numericsDepthAndThreads() throws {
        let model = FixturePaths.fixture("llama3-tiny/llama3-tiny.gguf").path
        Self.expectUsageError(try Self.run(["generate", "-m", model, "-p", "hi", "--numerics", "fastest"]), mentions: "'fast' and 'llama'")
        Self.expectCleanFailure(try Self.run(["bench", "-m", model, "-p", "8", "-n", "0", "-d", "16000000"]), mentions: "context")
        Self.expectUsageError(try Self.run(["bench", "-m", model, "-d=-1"]), mentions: "-d")
        Self.expectUsageError(try Self.run(["bench", "-m", model, "--threads", "0"]), mentions: "threads")
        Self.expectUsageError(try Self.run(["generate", "-m", model, "-p", "hi", "--threads", "0"]), mentions: "threads")
        let ok = try Self.run(["bench", "-m", model, "-p", "8", "-n", "4", "-d", "16", "-r", "1", "--numerics", "llama", "--json"])
        #expect(ok.status == 0, "\(ok.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(ok.stdout.utf8)) as? [String: Any]
        #expect(json?["depth"] as? Int == 16)
        #expect(json?["numerics"] as? String == "llama")
    }

    /// Fixed-value options are enums: the parser rejects an unknown value
    /// before any model or data is read, naming the allowed values.
    @Test func fixedValueOptions() throws {
        let model = FixturePaths.fixture("llama3-tiny/llama3-tiny.gguf").path
        let base = ["finetune", "-m", model, "--data", "/nonexistent.txt", "--out", "/tmp/x.gguf"]
        Self.expectUsageError(try Self.run(base + ["--schedule", "exponential"]), mentions: "'constant'")
        Self.expectUsageError(try Self.run(base + ["--backward", "int4"]), mentions: "'float'")
        Self.expectUsageError(try Self.run(base + ["--format", "csv"]), mentions: "--format")
        Self.expectUsageError(try Self.run(["corpus", "clean", "--near-dup-verify", "approximate", "/nonexistent.txt"]), mentions: "'estimate'")
        Self.expectUsageError(try Self.run(["eval", "run", "-m", model, "--tasks", "/nonexistent.jsonl", "--template", "mmlu-v9"]),
                              mentions: "--template")
        let help = try Self.run(["finetune", "train", "--help"])
        let flat = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")   // help wraps at 80 columns
        #expect(flat.contains("values: cosine, linear, constant"), "\(help.stdout)")
    }

    @Test func tokenizeJSONWorks() throws {
        let model = FixturePaths.fixture("llama3-tiny/llama3-tiny.gguf").path
        let r = try Self.run(["tokenize", "-m", model, "--text", "Hello, world", "--json"])
        #expect(r.status == 0)
        #expect(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[9906, 11, 1917]")
        let bos = try Self.run(["tokenize", "-m", model, "--text", "Hello, world", "--json", "--bos"])
        #expect(bos.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[128000, 9906, 11, 1917]")
    }
}

import GGUF
import Kernels

/// Tiny files with a chosen architecture / pre-tokenizer for the CLI tests.
enum GGUFWriterBox {
    static func tinyWithArchitecture(_ arch: String, pre: String = "smollm") -> GGUFWriter {
        var b = TinyModelBuilder()
        b.byteLevelTokenizer = true
        var w = (try? b.build()) ?? GGUFWriter()
        w.set("general.architecture", .string(arch))
        w.set("tokenizer.ggml.pre", .string(pre))
        return w
    }
}
