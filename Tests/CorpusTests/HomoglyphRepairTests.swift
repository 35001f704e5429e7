import Testing
@testable import Corpus

@Suite struct HomoglyphRepairTests {
    @Test func latinAInsideKazakhWord() {
        let r = HomoglyphRepair.repair("Қaзaқстaн")
        #expect(r.text == "Қазақстан")
        #expect(r.replacements == 3)
    }

    @Test func latinIBecomesKazakhI() {
        #expect(HomoglyphRepair.repair("бiлiм").text == "білім")
        #expect(HomoglyphRepair.repair("бiлiм").replacements == 2)
    }

    @Test func latinSchwa() {
        #expect(HomoglyphRepair.repair("əке").text == "әке")
        #expect(HomoglyphRepair.repair("Əке").text == "Әке")
    }

    @Test func genuineLatinWordsUntouched() {
        #expect(HomoglyphRepair.repair("Python тілі") == ("Python тілі", 0))
        #expect(HomoglyphRepair.repair("iPhone-ды алдым") == ("iPhone-ды алдым", 0))
        #expect(HomoglyphRepair.repair("Wi-Fi-дың жылдамдығы") == ("Wi-Fi-дың жылдамдығы", 0))
        #expect(HomoglyphRepair.repair("OK, жақсы") == ("OK, жақсы", 0))
    }

    @Test func latinWithoutTwinKeepsWord() {
        // "q" has no Cyrillic look-alike: the word is left alone rather than half repaired.
        #expect(HomoglyphRepair.repair("қaзaqша") == ("қaзaqша", 0))
    }

    @Test func allCapitals() {
        let r = HomoglyphRepair.repair("AЛMATЫ")
        #expect(r.text == "АЛМАТЫ")
        #expect(r.replacements == 4)
    }

    @Test func russianWordsAndCounts() {
        let r = HomoglyphRepair.repair("Мoсквa и Aлмaты, cпacибo")
        #expect(r.text == "Москва и Алматы, спасибо")
        #expect(r.replacements == 8)
    }

    @Test func cleanTextIsReturnedAsIs() {
        #expect(HomoglyphRepair.repair("Бүгін ауа райы жақсы.") == ("Бүгін ауа райы жақсы.", 0))
        #expect(HomoglyphRepair.repair("") == ("", 0))
    }
}
