import Foundation
import Testing
@testable import Corpus

@Suite struct LanguageIdentifierTests {
    let identifier = LanguageIdentifier()

    @Test func kazakhLettersMeanKazakh() {
        let g = identifier.identify("Бүгін ауа райы өте жақсы, балалар далада ойнап жүр.")
        #expect(g.language == .kk)
        #expect(g.confidence > 0.9)
    }

    @Test func kazakhWithoutSpecialLetters() {
        #expect(identifier.identify("Ол мектепке барады.").language == .kk)
    }

    @Test func english() {
        #expect(identifier.identify("The weather is lovely today, let's go for a walk.").language == .en)
    }

    @Test func russian() {
        #expect(identifier.identify("Привет, как дела?").language == .ru)
        #expect(identifier.identify("Я живу в Алматы уже пять лет.").language == .ru)
    }

    @Test func numbersSymbolsAndAddressesAreOther() {
        for text in ["12345 !!!", "", "   ", "+7 (727) 123-45-67", "https://example.com/a/b", "*** --- ***"] {
            let g = identifier.identify(text)
            #expect(g.language == .other, "\(text)")
            #expect(g.scores[.other] == 1)
        }
    }

    @Test func latinNonEnglishIsOther() {
        #expect(identifier.identify("Bugün hava çok güzel, parka gidelim mi?").language == .other)
        #expect(identifier.identify("Der Zug nach Berlin hat zwanzig Minuten Verspätung.").language == .other)
    }

    @Test func codeSwitchingIsMixed() {
        let g = identifier.identify("Мен бүгін жұмысқа бардым, но там никого не было")
        #expect(g.language == .mixed)
        let kk = g.scores[.kk] ?? 0, ru = g.scores[.ru] ?? 0
        #expect(abs(g.confidence - (kk + ru)) < 1e-9)
        #expect(identifier.identify("Мен бүгін meeting-ке бардым, it was really boring actually.").language == .mixed)
    }

    @Test func loanwordsDoNotMakeKazakhMixed() {
        for text in [
            "Ол университетте оқиды.", "Мен жаңа телефон сатып алдым.", "Бұл компьютер жаңа.",
            "Бүгін кешке концертке билет алдым.", "Мен Python мен JavaScript үйреніп жүрмін.",
            "Телефон, компьютер, планшет, ноутбук — барлығы жеңілдікпен сатылады!",
        ] {
            #expect(identifier.identify(text).language == .kk, "\(text)")
        }
    }

    @Test func homoglyphWordsCountAsCyrillic() {
        // Latin a/o/e/i typed inside Kazakh and Russian words.
        #expect(identifier.identify("Қaзaқстaн бiздiң Отaнымыз").language == .kk)
        #expect(identifier.identify("Мoсквa — стoлицa Рoссии").language == .ru)
    }

    @Test func scoresAreProbabilities() {
        for text in ["Сәлем!", "Привет", "Hello there", "Мен бүгін жұмысқа бардым, но там никого не было", "12 34"] {
            let g = identifier.identify(text)
            let sum = g.scores.values.reduce(0, +)
            #expect(abs(sum - 1) < 1e-9, "\(text)")
            #expect(Set(g.scores.keys) == [.kk, .ru, .en, .other])
            if g.language != .mixed { #expect(g.confidence == g.scores[g.language]) }
        }
    }

    /// The repository root: this file is Tests/CorpusTests/LanguageIdentifierTests.swift.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func heldOutTestSet() throws {
        let tsv = try String(contentsOf: Self.root.appendingPathComponent("data/langid/test.tsv"), encoding: .utf8)
        let lines = try LabeledLines.parse(tsv)
        #expect(lines.count >= 300)
        let evaluation = LanguageIDEvaluation.evaluate(lines: lines, identifier: identifier)
        print(evaluation.markdown)
        for e in evaluation.errors { print("\(e.label.rawValue) → \(e.predicted.rawValue)\t\(e.text)") }
        #expect(evaluation.count(label: .kk) >= 100)
        #expect(evaluation.count(label: .ru) >= 100)
        #expect(evaluation.count(label: .en) >= 60)
        #expect(evaluation.count(label: .mixed) >= 40)
        #expect(evaluation.cleanAccuracy >= 0.98)
        #expect(evaluation.accuracy(label: .mixed) >= 0.85)
        #expect(evaluation.accuracy(label: .other) >= 0.85)
    }

    /// LanguageSamples.swift must be regenerated (python3 scripts/embed_langid.py) after editing a sample.
    @Test func embeddedSamplesMatchTheFiles() throws {
        let embedded = ["kk": LanguageSamples.kk, "ru": LanguageSamples.ru, "en": LanguageSamples.en, "other": LanguageSamples.other]
        for (name, text) in embedded {
            let url = Self.root.appendingPathComponent("data/langid/train/\(name).txt")
            var file = try String(contentsOf: url, encoding: .utf8)
            while file.hasSuffix("\n") { file.removeLast() }
            #expect(file == text, "\(name).txt changed: run python3 scripts/embed_langid.py")
        }
    }
}

@Suite struct LanguageIDEvaluationTests {
    @Test func parsesAndReportsBadLines() {
        #expect(throws: LabeledLines.ParseError.self) { try LabeledLines.parse("kk\tСәлем\nxx\tfoo\nno tab here\nru\t \n") }
        do {
            _ = try LabeledLines.parse("# comment\nkk\tСәлем\nxx\tfoo\nno tab here\nru\t \n")
        } catch let error as LabeledLines.ParseError {
            #expect(error.problems == [
                "line 3: unknown label \"xx\" (expected kk, ru, en, mixed or other)",
                "line 4: no tab between label and text",
                "line 5: empty text",
            ])
        } catch {
            Issue.record("unexpected error \(error)")
        }
        let lines = try? LabeledLines.parse("# c\n\nkk\tСәлем, досым\r\nen\tHi\tthere\n")
        #expect(lines?.count == 2)
        #expect(lines?[0].text == "Сәлем, досым")
        #expect(lines?[1].text == "Hi\tthere")
    }

    @Test func confusionAndMarkdown() {
        let identifier = LanguageIdentifier()
        let lines: [(label: Language, text: String)] = [
            (.kk, "Бүгін ауа райы өте жақсы."), (.ru, "Сегодня хорошая погода."), (.en, "It is a nice day."),
            (.ru, "Бүгін ауа райы жақсы емес."), (.other, "12345"),
        ]
        let e = LanguageIDEvaluation.evaluate(lines: lines, identifier: identifier)
        #expect(e.total == 5)
        #expect(e.correct == 4)
        #expect(e.count(label: .ru, predicted: .kk) == 1)
        #expect(abs(e.cleanAccuracy - 0.75) < 1e-9)
        #expect(e.errors.count == 1)
        #expect(e.markdown.contains("| ru | 1 | **1** | 0 | 0 | 0 | 2 | 50.0% |"))
    }
}
