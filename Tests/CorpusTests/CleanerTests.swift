import Foundation
import Testing
@testable import Corpus

@Suite struct CleanerTests {
    @Test func firstOccurrenceKeptAndTextNormalized() {
        var cleaner = CorpusCleaner()
        let kept = cleaner.clean([
            Document(id: "a", text: "  Бұл\u{00A0}бірінші   құжат, ол жеткілікті ұзын.\u{200B} "),
            Document(id: "b", text: "БҰЛ БІРІНШІ ҚҰЖАТ, ОЛ ЖЕТКІЛІКТІ ҰЗЫН."),
            Document(id: "c", text: "Қысқа"),
        ])
        #expect(kept.map(\.id) == ["a"])
        #expect(kept.first?.text == "Бұл бірінші құжат, ол жеткілікті ұзын.")
        #expect(cleaner.report.dropped(.exactDuplicate) == 1)
        #expect(cleaner.report.dropped(.tooShort) == 1)
        #expect(cleaner.report.inputDocuments == 3 && cleaner.report.keptDocuments == 1)
    }

    @Test func nearDuplicatesCanBeTurnedOff() {
        let a = MinHashTests.text60, b = MinHashTests.text60.replacing("алуан", with: "сан")
        var on = CorpusCleaner()
        #expect(on.clean([Document(id: "1", text: a), Document(id: "2", text: b)]).count == 1)
        var off = CorpusCleaner(configuration: CleaningConfiguration(nearDuplicates: nil))
        #expect(off.clean([Document(id: "1", text: a), Document(id: "2", text: b)]).count == 2)
    }

    @Test func languageList() throws {
        #expect(try CleaningConfiguration.parseLanguages("kk, RU,mixed") == [.kk, .ru, .mixed])
        #expect(throws: CorpusError.unknownLanguage("kz")) { try CleaningConfiguration.parseLanguages("kk,kz") }
        #expect(throws: CorpusError.self) { try CleaningConfiguration.parseLanguages(" , ") }
    }

    @Test func jsonlOutput() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("corpus-out-\(UInt32.random(in: 0...UInt32.max)).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try JSONLWriter(path: path)
        try writer.write(CleanedDocument(id: "x/1", text: "Сәлем \"әлем\"\nекі", language: .kk, languageConfidence: 0.5,
                                         languageScores: [.kk: 0.5], homoglyphReplacements: 0))
        try writer.close()
        let out = try String(contentsOfFile: path, encoding: .utf8)
        #expect(out == #"{"id":"x/1","lang":"kk","lang_score":0.5,"text":"Сәлем \"әлем\"\nекі"}"# + "\n")
    }
}

@Suite struct TokenizerCostTests {
    @Test func ratiosByHand() {
        // 3 words, 12 characters, 22 UTF-8 bytes (10 Cyrillic letters × 2 + 2 spaces); 6 tokens.
        let c = TokenizerCost(text: "Мен сені сүй", tokenCount: { _ in 6 })
        #expect(c.words == 3 && c.characters == 12 && c.bytes == 22 && c.tokens == 6)
        #expect(c.tokensPerWord == 2.0)
        #expect(c.charsPerToken == 2.0)
        #expect(abs(c.bytesPerToken - 22.0 / 6.0) < 1e-12)
        var sum = c
        sum.add(TokenizerCost(text: "ok", tokenCount: { _ in 1 }))
        #expect(sum.words == 4 && sum.tokens == 7 && sum.bytes == 24)
        #expect(TokenizerCost().tokensPerWord == 0 && TokenizerCost().bytesPerToken == 0)
    }
}

@Suite struct DroppedRecordTests {
    @Test func wireFormat() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("corpus-dropped-\(UInt32.random(in: 0...UInt32.max)).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try JSONLWriter(path: path)
        try writer.write(record: DroppedRecord(id: "a", reason: .nearDuplicate, text: "x"))
        try writer.close()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == #"{"id":"a","reason":"near_duplicate","text":"x"}"# + "\n")
    }
}
