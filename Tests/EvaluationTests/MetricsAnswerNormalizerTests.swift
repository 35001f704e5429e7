import Testing
@testable import Evaluation

@Suite struct MetricsAnswerNormalizerTests {
    @Test func kazakhAndRussianLowercase() {
        #expect(AnswerNormalizer.normalize("ІЛЕ") == "іле")
        #expect(AnswerNormalizer.normalize("ӘҒҚҢӨҰҮҺІ") == "әғқңөұүһі")
        #expect(AnswerNormalizer.normalize("ЁЖИК") == "ёжик")
        #expect(AnswerNormalizer.normalize("Астана") == "астана")
    }

    @Test func stripsEdgePunctuationAndQuotes() {
        #expect(AnswerNormalizer.normalize("«Астана».") == "астана")
        #expect(AnswerNormalizer.normalize("  \"Алматы\" !") == "алматы")
        #expect(AnswerNormalizer.normalize("'Абай';") == "абай")
        #expect(AnswerNormalizer.normalize("…Иә?!") == "иә")
        #expect(AnswerNormalizer.normalize("?!.") == "")
    }

    @Test func keepsInnerPunctuationAndCollapsesWhitespace() {
        #expect(AnswerNormalizer.normalize("1991-12-16") == "1991-12-16")
        #expect(AnswerNormalizer.normalize(" Абай \n  Құнанбайұлы\t") == "абай құнанбайұлы")
        #expect(AnswerNormalizer.normalize("Т. Рысқұлов.") == "т. рысқұлов")
        #expect(AnswerNormalizer.normalize("Каспий\u{00A0}теңізі") == "каспий теңізі")
    }

    @Test func nfc() {
        // "й" as и + combining breve vs precomposed U+0439.
        let decomposed = AnswerNormalizer.normalize("Қы\u{0438}\u{0306}ын")
        #expect(Array(decomposed.unicodeScalars) == Array("қыйын".unicodeScalars))
    }

    @Test func exactMatch() {
        #expect(AnswerNormalizer.exactMatch(prediction: "астана.", answers: ["Астана"]))
        #expect(AnswerNormalizer.exactMatch(prediction: "«Нұр-Сұлтан»", answers: ["Астана", "Нұр-Сұлтан"]))
        #expect(!AnswerNormalizer.exactMatch(prediction: "Астана қаласы", answers: ["Астана"]))
        #expect(!AnswerNormalizer.exactMatch(prediction: "", answers: [""]))
        #expect(!AnswerNormalizer.exactMatch(prediction: "...", answers: ["!"]))
        #expect(!AnswerNormalizer.exactMatch(prediction: "Астана", answers: []))
    }
}
