import Foundation
import Testing
@testable import Corpus

/// The corpus tools on a committed mixed kk/ru/en sample (Tests/Fixtures/corpus/mixed-sample.jsonl):
/// 42 documents and one broken line — 16 distinct Kazakh paragraphs (4 with 16 Latin homoglyphs planted
/// in Cyrillic words), 7 Russian, 6 English, 3 exact duplicates modulo case and whitespace (one with a
/// Latin homoglyph: 17 in all), 2 near duplicates (one word changed), 3 too short, a digit table, a symbol line,
/// a boilerplate navigation block, a Kazakh/English mixed paragraph and a German one.
@Suite struct EvidenceTests {
    static func run(_ languages: Set<Language>?) throws -> (kept: [CleanedDocument], report: CleaningReport, outcomes: [String: CorpusCleaner.Outcome]) {
        let reader = JSONLReader(try ByteSource(path: Fixture.path("mixed-sample.jsonl")))
        var cleaner = CorpusCleaner(configuration: CleaningConfiguration(languages: languages), tokenizer: "words+1") {
            WordSplitter.count(in: $0) + 1
        }
        var kept: [CleanedDocument] = []
        var outcomes: [String: CorpusCleaner.Outcome] = [:]
        while let doc = try reader.next() {
            let outcome = cleaner.process(doc)
            outcomes[doc.id] = outcome
            if case .kept(let d) = outcome { kept.append(d) }
        }
        var report = cleaner.report
        report.skippedRecords = reader.warningCount
        return (kept, report, outcomes)
    }

    static func counts(_ r: CleaningReport) -> [String: Int] {
        r.dropped.filter { $0.value > 0 }
    }

    @Test func keepKazakhRussianEnglish() throws {
        let (kept, report, outcomes) = try Self.run([.kk, .ru, .en])
        #expect(report.inputDocuments == 42)
        #expect(report.skippedRecords == 1)
        #expect(report.keptDocuments == 29)
        #expect(kept.count == 29)
        #expect(Self.counts(report) == ["too_short": 3, "symbol_ratio": 1, "digit_ratio": 1, "repeated_lines": 1,
                                        "language": 2, "exact_duplicate": 3, "near_duplicate": 2])
        #expect(report.languagesKept == ["kk": 16, "ru": 7, "en": 6])
        // The digit table ("... 13,1 жыл") is labelled kk, the German paragraph other.
        #expect(report.languagesAll == ["kk": 23, "ru": 8, "en": 9, "mixed": 1, "other": 1])
        #expect(report.homoglyphReplacements == 17)
        #expect(report.homoglyphReplacementsKept == 16)
        #expect(report.documentsWithHomoglyphs == 5)
        // Each drop is the one the sample planted.
        let expected: [String: DropReason] = [
            "short1": .tooShort, "short2": .tooShort, "short3": .tooShort, "symbols": .symbolRatio, "table": .digitRatio,
            "boilerplate": .repeatedLines, "mixed": .language, "de": .language, "dup-kk01": .exactDuplicate, "dup-ru01": .exactDuplicate,
            "dup-en01": .exactDuplicate, "near-kk02": .nearDuplicate, "near-en02": .nearDuplicate,
        ]
        for (id, reason) in expected { #expect(outcomes[id] == .dropped(reason), "\(id)") }
        // The first occurrences are kept, repaired.
        let byID = Dictionary(uniqueKeysWithValues: kept.map { ($0.id, $0) })
        #expect(byID["kk01"] != nil && byID["kk02"] != nil && byID["en02"] != nil && byID["ru01"] != nil)
        #expect(byID["kk13"]?.text.hasPrefix("Қазақ тілі — мемлекеттік тіл.") == true)
        #expect(byID["kk13"]?.homoglyphReplacements == 3)
        // Tokens per word under a stand-in tokenizer (words + 1 per document): 549 words, 578 tokens.
        #expect(report.tokenCost?.words == 549)
        #expect(report.tokenCost?.tokens == 549 + 29)
    }

    @Test func keepKazakhOnly() throws {
        let (kept, report, _) = try Self.run([.kk])
        #expect(report.keptDocuments == 16)
        #expect(kept.allSatisfy { $0.language == .kk })
        // The language filter runs before deduplication, so duplicates of Russian and English texts count as language drops.
        #expect(Self.counts(report) == ["too_short": 3, "symbol_ratio": 1, "digit_ratio": 1, "repeated_lines": 1,
                                        "language": 18, "exact_duplicate": 1, "near_duplicate": 1])
        #expect(report.languagesKept == ["kk": 16])
        #expect(report.homoglyphReplacements == 17)
        #expect(report.homoglyphReplacementsKept == 16)
    }

    @Test func allLanguages() throws {
        let (_, report, _) = try Self.run(nil)
        #expect(report.keptDocuments == 31)
        #expect(report.dropped(.language) == 0)
        #expect(report.kept(.mixed) == 1)
        #expect(report.kept(.other) == 1)
    }

    @Test func reportRoundTripsAndRenders() throws {
        let (_, report, _) = try Self.run([.kk, .ru, .en])
        let json = try report.json()
        #expect(json.contains("\"kept_documents\" : 29"))
        #expect(json.contains("\"tokens_per_word\""))
        let decoded = try JSONDecoder().decode(CleaningReport.self, from: Data(json.utf8))
        #expect(decoded == report)
        let table = report.table()
        #expect(table.contains("documents   in 42   kept 29 (69.0%)   dropped 13"))
        #expect(table.contains("homoglyph replacements: 17 in 5 documents (16 in kept)"))
    }
}
