import Foundation
import Testing
import TestSupport

/// `aqyl corpus` through the real binary: the evidence sample end to end, and bad input.
@Suite struct CorpusCLITests {
    static var aqyl: String { EvalEndpointTests.aqyl }
    static func fixture(_ name: String) -> String { FixturePaths.fixture("corpus/" + name).path }

    @Test func cleanWritesKeptDocumentsAndAReport() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-corpus-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let out = dir.appendingPathComponent("out.jsonl").path, report = dir.appendingPathComponent("report.json").path
        let (status, output) = try ServePeerTests.run(Self.aqyl, ["corpus", "clean", Self.fixture("mixed-sample.jsonl"),
                                                                  "--out", out, "--report", report, "--model", "smollm2-135m"])
        #expect(status == 0, "\(output)")
        #expect(output.contains("mixed-sample.jsonl:21"), "the broken line is named: \(output)")
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report))) as? [String: Any])
        #expect(lines.count == 31)
        #expect(json["input_documents"] as? Int == 42)
        #expect(json["kept_documents"] as? Int == 31)
        #expect(json["skipped_records"] as? Int == 1)
        #expect(json["homoglyph_replacements"] as? Int == 17)
        let dropped = try #require(json["dropped"] as? [String: Int])
        #expect(dropped == ["too_short": 3, "too_long": 0, "symbol_ratio": 1, "digit_ratio": 1, "repeated_lines": 1,
                            "language": 0, "exact_duplicate": 3, "near_duplicate": 2])
        // Every kept line is a JSON object with text and language.
        for line in lines {
            let o = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(o["text"] is String && o["lang"] is String)
        }
        // Homoglyphs were repaired in the output.
        let text = lines.joined(separator: "\n")
        #expect(!text.contains("Қaзaқ"))
    }

    @Test func translitRoundTrip() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-translit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let input = dir.appendingPathComponent("in.txt"), latin = dir.appendingPathComponent("latin.txt")
        try "Қазақстан Республикасы, Шымкент, өнер, ұлт, бүгін\n".write(to: input, atomically: true, encoding: .utf8)
        var r = try ServePeerTests.run(Self.aqyl, ["corpus", "translit", "--to", "latin", input.path, "--out", latin.path])
        #expect(r.status == 0, "\(r.output)")
        #expect(try String(contentsOf: latin, encoding: .utf8) == "Qazaqstan Respublikasy, Şymkent, öner, ūlt, bügın\n")
        r = try ServePeerTests.run(Self.aqyl, ["corpus", "translit", "--to", "cyrillic", latin.path])
        #expect(r.output == "Қазақстан Республикасы, Шымкент, өнер, ұлт, бүгін\n")
    }

    @Test func badInput() throws {
        var r = try ServePeerTests.run(Self.aqyl, ["corpus", "clean", "/nonexistent.jsonl", "--out", "/tmp/x.jsonl"])
        #expect(r.status != 0)
        #expect(r.output.contains("aqyl: error:") || r.output.contains("Error:"), "\(r.output)")
        r = try ServePeerTests.run(Self.aqyl, ["corpus", "clean", Self.fixture("mixed-sample.jsonl"), "--out", "/tmp/x.jsonl",
                                               "--langs", "klingon"])
        #expect(r.status != 0)
        #expect(r.output.contains("klingon"), "\(r.output)")
        r = try ServePeerTests.run(Self.aqyl, ["corpus", "langid", "--eval", "/nonexistent.tsv"])
        #expect(r.status != 0)
    }
}
