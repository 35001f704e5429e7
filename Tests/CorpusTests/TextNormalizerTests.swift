import Foundation
import Testing
@testable import Corpus

@Suite struct TextNormalizerTests {
    let n = TextNormalizer()

    @Test func controlsAndInvisiblesRemoved() {
        #expect(n.normalize("a\u{0}b\u{7}c\u{1B}d\u{7F}e\u{85}f\u{9F}") == "abcdef")
        #expect(n.normalize("Қа\u{200B}зақ\u{200C}\u{200D}стан\u{FEFF}") == "Қазақстан")
        #expect(n.normalize("тіл\u{00AD}дік") == "тілдік")
        #expect(n.normalize("\u{202E}abc\u{202C}\u{200E}") == "abc")
    }

    @Test func spacesAndLines() {
        #expect(n.normalize("  a\u{00A0}\u{00A0}b\t c  \r\n\r\n\r\n\n d\u{2028}e ") == "a b c\n\nd\ne")
        #expect(n.normalize("a\rb") == "a\nb")
        #expect(TextNormalizer(keepTabs: true).normalize("a\tb") == "a\tb")
        #expect(n.normalize(" \n \n") == "")
    }

    @Test func nfc() {
        // и + combining breve → й; е + combining diaeresis → ё; a soft hyphen between base and mark is removed first.
        #expect(n.normalize("и\u{0306}") == "й")
        #expect(n.normalize("е\u{00AD}\u{0308}") == "ё")
        #expect(n.normalize("и\u{0306}").unicodeScalars.count == 1)
    }
}

@Suite struct WordSplitterTests {
    @Test func words() {
        #expect(WordSplitter.words(in: "Қазақстан — 2024 жылы, бір-бірі; don't") == ["Қазақстан", "2024", "жылы", "бір", "бірі", "don", "t"])
        #expect(WordSplitter.count(in: "Қазақстан — 2024 жылы, бір-бірі; don't") == 7)
        #expect(WordSplitter.count(in: " ... ") == 0)
        #expect(WordSplitter.words(in: "е\u{0308}л") == ["е\u{0308}л"])
    }
}

@Suite struct QualityFilterTests {
    let f = QualityFilter()

    @Test func profileCounts() {
        // 7 letters, 6 digits, 3 symbols ("," "%" "."), 3 spaces.
        let p = QualityFilter.profile("Жыл 2024, қала 50%.")
        #expect(p.letters == 7 && p.digits == 6 && p.symbols == 3 && p.nonSpace == 16 && p.characters == 19)
        #expect(abs(p.digitRatio - 6.0 / 16.0) < 1e-12)
        #expect(abs(p.symbolRatio - 3.0 / 16.0) < 1e-12)
    }

    @Test func reasons() {
        #expect(f.check("Қысқа мәтін.") == .tooShort)                       // 12 characters
        #expect(f.check("Бұл мәтін жеткілікті ұзын, сүзгіден өтеді.") == nil)
        #expect(QualityFilter(maxChars: 10).check("Бұл мәтін жеткілікті ұзын") == .tooLong)
        #expect(f.check("### *** --- === !!! ??? ### мәтін") == .symbolRatio)
        #expect(f.check("2019 | 1 234 | 5 678 | 12,5 | 2020 | 1 300 | 5 900 | 13,1 жыл") == .digitRatio)
        #expect(f.check("Басты бет\nБайланыс\nБасты бет\nбасты бет \nБайланыс\nКіру") == .repeatedLines) // 3 of 6 repeat
        #expect(f.check("Бірінші жол осында\nЕкінші жол осында\nБірінші жол осында") == .repeatedLines) // 1 of 3 = 0.33
        #expect(f.check("Бірінші жол осында\nЕкінші жол осында\nҮшінші жол\nБірінші жол осында") == nil) // 1 of 4 = 0.25
    }
}

@Suite struct NFCShortcutTests {
    /// The normalizer skips Foundation's NFC for texts made only of ``TextNormalizer/isNFCInert(_:)`` scalars.
    /// That is right if each such scalar is NFC on its own and none can be absorbed into a composition with
    /// what precedes it, i.e. none appears after the first scalar of any character's canonical decomposition.
    @Test func inertScalarsAreSafeOverTheBMP() {
        var failures: [String] = []
        for v in UInt32(0)...0xFFFF {
            guard let c = Unicode.Scalar(v) else { continue }
            let s = String(Character(c))
            if TextNormalizer.isNFCInert(c), s.precomposedStringWithCanonicalMapping != s {
                failures.append(String(v, radix: 16) + " not NFC-stable")
            }
            let nfd = Array(s.decomposedStringWithCanonicalMapping.unicodeScalars)
            for later in nfd.dropFirst() where TextNormalizer.isNFCInert(later) {
                failures.append(String(later.value, radix: 16) + " follows in the decomposition of " + String(v, radix: 16))
            }
        }
        #expect(failures.isEmpty, "\(failures.prefix(10))")
    }

    @Test func textsWithMarksStillCompose() {
        #expect(TextNormalizer().normalize("Алматы и\u{0306}") == "Алматы й")
        #expect(TextNormalizer().normalize("cafe\u{0301}") == "café")
    }
}
