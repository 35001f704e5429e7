import Testing
@testable import Corpus

@Suite struct KazakhLatinTests {
    @Test func officialLetters() {
        #expect(KazakhLatin.toLatin("әғқңөұүһі") == "äğqñöūühı")
        #expect(KazakhLatin.toLatin("ӘҒҚҢӨҰҮҺІ") == "ÄĞQÑÖŪÜHI")
        #expect(KazakhLatin.toLatin("иИйЙыЫ") == "iİiİyY")
        #expect(KazakhLatin.toLatin("Қазақстан Республикасы") == "Qazaqstan Respublikasy")
        #expect(KazakhLatin.toLatin("Ақ бидай") == "Aq bidai")
        #expect(KazakhLatin.toLatin("шаш") == "şaş")
    }

    @Test func russianLettersAndCase() {
        #expect(KazakhLatin.toLatin("ЧЕХОВ") == "CHEHOV")
        #expect(KazakhLatin.toLatin("Чехов") == "Chehov")
        #expect(KazakhLatin.toLatin("Ч") == "Ch")
        #expect(KazakhLatin.toLatin("ЯНВАРЬ") == "İANVAR")
        #expect(KazakhLatin.toLatin("Юрий") == "İurii")
        #expect(KazakhLatin.toLatin("объект, цирк, щётка, эх") == "obekt, sirk, şiotka, eh")
    }

    @Test func nonLettersPassThrough() {
        #expect(KazakhLatin.toLatin("2021 ж., 15% — OK!") == "2021 j., 15% — OK!")
        #expect(KazakhLatin.toCyrillic("2021 j., 15% —!") == "2021 ж., 15% —!")
    }

    @Test func reverseDigraphsAndI() {
        #expect(KazakhLatin.toCyrillic("Chehov") == "Чехов")
        #expect(KazakhLatin.toCyrillic("aialdama") == "аялдама")
        #expect(KazakhLatin.toCyrillic("aiu") == "аю")
        #expect(KazakhLatin.toCyrillic("bai") == "бай")
        #expect(KazakhLatin.toCyrillic("syilyq") == "сыйлық")
        #expect(KazakhLatin.toCyrillic("kiiu") == "кию")
        #expect(KazakhLatin.toCyrillic("İnternet") == "Интернет")
        #expect(KazakhLatin.toCyrillic("IQTISAT") == "ІҚТІСАТ")
        // Decomposed input (u + combining macron) is normalized first.
        #expect(KazakhLatin.toCyrillic("qu\u{304}s") == "құс")
    }

    @Test func lossyLettersPickKazakhTypical() {
        #expect(KazakhLatin.toCyrillic("şahar") == "шахар")  // шаһар: h → х
        #expect(KazakhLatin.toCyrillic("şiotka") == "шиотка")  // ё is not restored
    }

    /// Native Kazakh words without х/һ, щ, э, ц, ъ, ь, ё survive Cyrillic → Latin → Cyrillic.
    static let nativeWords = [
        "әке", "ана", "бала", "қыз", "ұл", "бауыр", "ағаш", "тау", "өзен", "көл", "дала", "жер", "су", "от",
        "үй", "аяқ", "қол", "бас", "көз", "құлақ", "жүрек", "нан", "сүт", "ет", "қымыз", "бауырсақ", "мектеп",
        "оқушы", "мұғалім", "кітап", "қалам", "дәптер", "сабақ", "білім", "ғылым", "еңбек", "жұмыс", "достық",
        "Қазақстан", "Алматы", "Астана", "Шымкент", "Ақтөбе", "Өскемен", "Түркістан", "Тараз", "аялдама",
        "сыйлық", "айран", "ойын", "көйлек", "тоғыз", "жиырма", "қырық", "сегіз", "мың", "ғасыр", "жаңбыр",
        "қар", "күн", "ай", "жұлдыз", "бүгін", "ертең", "кеше", "жақсы", "әдемі", "үлкен", "кішкентай",
        "қуаныш", "ақиқат", "тұңғыш", "дүние", "кию", "аю", "ою", "жию", "ҚАЗАҚСТАН", "Ұлытау",
    ]

    @Test func cyrillicRoundTripOnNativeWords() {
        #expect(Self.nativeWords.count >= 30)
        for word in Self.nativeWords {
            let latin = KazakhLatin.toLatin(word)
            #expect(KazakhLatin.toCyrillic(latin) == word, "\(word) → \(latin)")
        }
    }

    @Test func cyrillicRoundTripOnSentences() {
        let sentences = [
            "Бүгін күн ашық, балалар аулада ойнап жүр.",
            "Біз ертең Алматыға пойызбен барамыз.",
            "Әжем таңертең бауырсақ пісіріп, шай қойды.",
            "Мұғалім оқушыларға жаңа тақырыпты түсіндірді.",
            "ҚАЗАҚ ТІЛІ — МЕМЛЕКЕТТІК ТІЛ.",
        ]
        for s in sentences {
            #expect(KazakhLatin.toCyrillic(KazakhLatin.toLatin(s)) == s)
        }
    }

    @Test func latinRoundTrip() {
        let texts = [
            "Qazaqstan Respublikasy — täuelsız memleket.",
            "Bügın künı aşyq, balalar aulada oinap jür.",
            "Äjem tañerteñ bauyrsaq pısırıp, şai qoidy.",
            "ÜLKEN ÄRIPTER, Ūlytau, Ğylym, Ñ, İnternet.",
            "Aialdamada adam köp eken.",
        ]
        for t in texts {
            #expect(KazakhLatin.toLatin(KazakhLatin.toCyrillic(t)) == t, "\(t)")
        }
    }
}
