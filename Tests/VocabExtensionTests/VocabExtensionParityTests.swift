import Foundation
import GGUF
import TestSupport
import Testing
import Tokenizers
@testable import VocabExtension

/// The extended vocabularies against llama.cpp: `scripts/make_vocab_fixtures.py` ran
/// `aqyl vocab extend` on the committed corpus, loaded each result with llama-cpp-python
/// 0.3.36 and recorded its token ids for every test string. Here the same extension runs
/// in-process; it must learn the same tokens, and Aqyl's tokenizer on the extended file must
/// give llama.cpp's ids.
@Suite(.serialized) struct VocabExtensionParityTests {
    struct Fixture: Decodable {
        var model: String
        var add: Int
        var min_frequency: Int
        var corpus: [String]
        var base_vocab_size: Int
        var n_vocab: Int
        var tokens: [String]
        var cases: [Case]
        struct Case: Decodable {
            var text: String
            var ids: [Int32]
            var ids_special: [Int32]
        }
    }

    static let root = FixturePaths.fixturesRoot.deletingLastPathComponent().deletingLastPathComponent()

    static func modelPath(_ model: String) -> String {
        model.hasSuffix(".gguf") ? root.appendingPathComponent(model).path : FixturePaths.model(model)
    }

    @Test(arguments: ["smollm2-135m", "llama3-tiny", "gemma3-270m"])
    func extendedVocabularyTokenizesLikeLlamaCpp(name: String) throws {
        let data = try Data(contentsOf: FixturePaths.fixture("vocab-extend/\(name).json"))
        let fixture = try JSONDecoder().decode(Fixture.self, from: data)
        let file = try GGUFFile(path: Self.modelPath(fixture.model))
        let tokenizer = try #require(try TokenizerFactory.load(from: file) as? any MergeUnitTokenizer)
        #expect(tokenizer.vocabularySize == fixture.base_vocab_size)
        var units = CorpusUnits(tokenizer: tokenizer)
        for path in fixture.corpus { try units.add(file: Self.root.appendingPathComponent(path).path) }
        let learned = VocabularyLearner.learn(units: units.segmented(), base: VocabularyExtender.base(of: tokenizer),
                                              count: fixture.add, minFrequency: fixture.min_frequency)
        try #require(learned.map(\.text) == fixture.tokens,
                     "the learner no longer learns the fixture's tokens: regenerate with scripts/make_vocab_fixtures.py")
        let extended = try GGUFFile(bytes: try VocabularyExtender.extend(file, with: learned).encode())
        let after = try TokenizerFactory.load(from: extended)
        #expect(after.vocabularySize == fixture.n_vocab)
        var mismatches = 0
        for c in fixture.cases {
            let plain = after.encode(c.text, addSpecial: false, parseSpecial: false)
            let special = after.encode(c.text, addSpecial: false, parseSpecial: true)
            if plain != c.ids || special != c.ids_special { mismatches += 1 }
            #expect(plain == c.ids, "\(c.text.prefix(60))")
            #expect(special == c.ids_special, "\(c.text.prefix(60))")
        }
        #expect(mismatches == 0)
        // The fixture strings do use the new tokens.
        let newIDs = fixture.cases.flatMap(\.ids).filter { Int($0) >= fixture.base_vocab_size }
        #expect(newIDs.count > 100)
    }
}
