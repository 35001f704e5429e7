import Foundation
import GGUF
import TestSupport
import Testing

/// `aqyl vocab extend` through the real binary: a working run on the tiny model that carries
/// Llama-3's vocabulary, and every refusal as one clean error line.
@Suite(.serialized) struct VocabExtendCLITests {
    typealias CLI = CLIBadInputTests
    static let model = FixturePaths.fixture("llama3-tiny/llama3-tiny.gguf").path
    static let root = FixturePaths.fixturesRoot.deletingLastPathComponent().deletingLastPathComponent()
    static let corpus = root.appendingPathComponent("data/kk/train.txt").path

    @Test func extendsAndFertilityShowsTheChange() throws {
        let out = NSTemporaryPath("llama3-tiny-kk.gguf")
        // Several files after one --corpus, as `--corpus FILE...` reads.
        let news = Self.root.appendingPathComponent("data/kk/corpus/news.txt").path
        let r = try CLI.run(["vocab", "extend", "-m", Self.model, "--corpus", Self.corpus, news, "--add", "300", "--out", out, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        #expect(summary?["added"] as? Int == 300)
        #expect(summary?["base_vocab_size"] as? Int == 128_256)
        #expect((summary?["tokens"] as? [[String: Any]])?.count == 300)
        let file = try GGUFFile(path: out)
        #expect(file.metadata["tokenizer.ggml.tokens"]?.array?.count == 128_556)
        #expect(file.tensor(named: "token_embd.weight")?.rows == 128_556)

        let f = try CLI.run(["corpus", "fertility", "-m", Self.model, "-m", out, "--json",
                             Self.root.appendingPathComponent("data/kk/heldout.txt").path])
        #expect(f.status == 0, "\(f.stderr)")
        let rows = try JSONSerialization.jsonObject(with: Data(f.stdout.utf8)) as? [[String: Any]]
        let perWord = rows?.compactMap { ($0["cost"] as? [String: Any])?["tokens_per_word"] as? Double } ?? []
        #expect(perWord.count == 2)
        if perWord.count == 2 { #expect(perWord[1] < perWord[0] * 0.8, "\(perWord)") }
    }

    /// `--train-embeddings new` on an extended model: the run writes the adapter and the model
    /// with the trained new rows; the old rows and every other tensor are the extended file's.
    @Test func trainsTheNewRowsAndWritesTheModel() throws {
        let ext = NSTemporaryPath("llama3-tiny-kk-train.gguf")
        #expect(try CLI.run(["vocab", "extend", "-m", Self.model, "--corpus", Self.corpus, "--add", "200", "--out", ext]).status == 0)
        let out = NSTemporaryPath("kk-rows.gguf")
        let r = try CLI.run(["finetune", "-m", ext, "--data", Self.corpus, "--train-embeddings", "new", "--steps", "3", "--ctx", "64",
                             "--eval-split", "0", "--quiet", "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("200 new-token embedding rows, tied to the output"), "\(r.stderr)")
        let trained = try GGUFFile(path: String(out.dropLast(5)) + ".model.gguf")
        let extended = try GGUFFile(path: ext)
        let t = try #require(trained.tensor(named: "token_embd.weight")), e = try #require(extended.tensor(named: "token_embd.weight"))
        #expect(t.dimensions == e.dimensions && t.type == e.type)
        let rowBytes = try #require(e.type.rowBytes(e.columns))
        let old = 128_256 * rowBytes
        #expect(Array(trained.tensorData(t).prefix(old)) == Array(extended.tensorData(e).prefix(old)))
        #expect(Array(trained.tensorData(t).dropFirst(old)) != Array(extended.tensorData(e).dropFirst(old)))
        for other in extended.tensors where other.name != "token_embd.weight" {
            #expect(Array(trained.tensorData(try #require(trained.tensor(named: other.name)))) == Array(extended.tensorData(other)))
        }
        // The model and adapter run together.
        let g = try CLI.run(["generate", "-m", String(out.dropLast(5)) + ".model.gguf", "--lora", out, "-p", "Қазақ", "--max-tokens", "4"])
        #expect(g.status == 0, "\(g.stderr)")
        // An unextended model has no new rows to train.
        CLI.expectCleanFailure(try CLI.run(["finetune", "-m", Self.model, "--data", Self.corpus, "--train-embeddings", "new",
                                            "--steps", "1", "--out", NSTemporaryPath("none.gguf")]), mentions: "aqyl vocab extend")
        CLI.expectUsageError(try CLI.run(["finetune", "-m", Self.model, "--data", Self.corpus, "--train-embeddings", "all",
                                          "--out", NSTemporaryPath("none.gguf")]), mentions: "--train-embeddings")
    }

    @Test func refusals() throws {
        let out = NSTemporaryPath("x.gguf")
        let base = ["vocab", "extend", "-m", Self.model, "--corpus", Self.corpus, "--out", out]
        CLI.expectUsageError(try CLI.run(base + ["--add", "0"]), mentions: "--add")
        CLI.expectUsageError(try CLI.run(base + ["--add", "99999999999"]), mentions: "--add")
        CLI.expectUsageError(try CLI.run(base + ["--add", "-5"]), mentions: "--add")
        CLI.expectUsageError(try CLI.run(base + ["--add", "10", "--min-frequency", "1"]), mentions: "--min-frequency")
        CLI.expectUsageError(try CLI.run(["vocab", "extend", "-m", Self.model, "--add", "10", "--out", out]), mentions: "--corpus")
        CLI.expectUsageError(try CLI.run(["vocab", "extend", "-m", Self.model, "--corpus", Self.corpus, "--add", "10", "--out", "/tmp/x.bin"]),
                             mentions: "--out")
        CLI.expectCleanFailure(try CLI.run(["vocab", "extend", "-m", Self.model, "--corpus", "/nonexistent/kk.txt", "--add", "10", "--out", out]),
                               mentions: "/nonexistent/kk.txt")
        CLI.expectCleanFailure(try CLI.run(["vocab", "extend", "-m", Self.model, "--corpus", Self.corpus, "--add", "10", "--out", Self.model]),
                               mentions: "model file itself")
        CLI.expectCleanFailure(try CLI.run(["vocab", "extend", "-m", Self.model, "--corpus", Self.corpus, "--add", "10",
                                            "--out", "/nonexistent/dir/kk.gguf"]), mentions: "cannot write /nonexistent/dir/kk.gguf")
        // A corpus with nothing to learn, and one with no text at all.
        let once = NSTemporaryPath("once.txt")
        try "Бір сөз.".write(toFile: once, atomically: true, encoding: .utf8)
        CLI.expectCleanFailure(try CLI.run(["vocab", "extend", "-m", Self.model, "--corpus", once, "--add", "10", "--out", out]),
                               mentions: "nothing to learn")
        let empty = NSTemporaryPath("empty.txt")
        try "".write(toFile: empty, atomically: true, encoding: .utf8)
        CLI.expectCleanFailure(try CLI.run(["vocab", "extend", "-m", Self.model, "--corpus", empty, "--add", "10", "--out", out]),
                               mentions: "no text")
        // A vocabulary family that has no merges to extend.
        var w = GGUFWriterBox.tinyWithArchitecture("llama")
        w.set("tokenizer.ggml.model", .string("bert"))
        let bert = NSTemporaryPath("bert.gguf")
        try w.write(to: bert)
        CLI.expectCleanFailure(try CLI.run(["vocab", "extend", "-m", bert, "--corpus", Self.corpus, "--add", "10", "--out", out]),
                               mentions: "cannot extend a 'bert' vocabulary")
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}
