import Testing
import Tokenizers

struct SentencePieceTests {
    static let pieces: [(String, Float, TokenType)] = [
        ("▁", -1, .normal), ("h", -2, .normal), ("e", -2, .normal), ("l", -2, .normal), ("o", -2, .normal),
        ("▁h", -3, .normal), ("▁he", -4, .normal), ("ll", -5, .normal), ("▁hell", -6, .normal), ("▁hello", -7, .normal),
        ("a", -2, .normal), ("b", -2, .normal), ("c", -2, .normal), ("ab", -1, .normal), ("bc", -0.5, .normal),
        ("<start_of_turn>", 0, .control), ("<mask>", 0, .userDefined),
    ]

    @Test func mergesFollowScores() throws {
        let t = try TestVocab.spm(pieces: Self.pieces, addSpacePrefix: true)
        #expect(t.encode("hello", addSpecial: false, parseSpecial: false) == t.ids(["▁hello"]))
        #expect(t.encode("hello", addSpecial: true, parseSpecial: false) == [1] + t.ids(["▁hello"]))
        // "bc" (-0.5) beats "ab" (-1).
        let u = try TestVocab.spm(pieces: Self.pieces, addSpacePrefix: false)
        #expect(u.encode("abc", addSpecial: false, parseSpecial: false) == u.ids(["a", "bc"]))
        #expect(u.encode("hello", addSpecial: false, parseSpecial: false) == u.ids(["h", "e", "ll", "o"]))
        #expect(u.encode("hello hello", addSpecial: false, parseSpecial: false) == u.ids(["h", "e", "ll", "o", "▁hello"]))
    }

    @Test func unknownCharactersFallBackToBytes() throws {
        let t = try TestVocab.spm(pieces: Self.pieces, addSpacePrefix: false)
        let ids = t.encode("hé", addSpecial: false, parseSpecial: false)
        #expect(ids == t.ids(["h", "<0xC3>", "<0xA9>"]))
        #expect(t.decode(ids) == "hé")
        #expect(t.decode(t.encode("he hello", addSpecial: false, parseSpecial: false)) == "he hello")
    }

    @Test func specialTokensAndSpacePrefix() throws {
        let t = try TestVocab.spm(pieces: Self.pieces, addSpacePrefix: true)
        let sot = t.tokenID("<start_of_turn>") ?? -1, mask = t.tokenID("<mask>") ?? -1
        // After a special token the next text fragment gets the space prefix again.
        #expect(t.encode("<start_of_turn>hello", addSpecial: false, parseSpecial: true) == [sot] + t.ids(["▁hello"]))
        #expect(!t.encode("<start_of_turn>", addSpecial: false, parseSpecial: false).contains(sot))
        #expect(t.encode("hello<mask>", addSpecial: false, parseSpecial: false) == t.ids(["▁hello", "<mask>"]))
        #expect(t.pieceBytes(sot, special: false) == [])
        #expect(t.pieceBytes(1, special: true) == Array("<s>".utf8))
        #expect(t.bosID == 1 && t.eosID == 2 && t.addsBOS && !t.addsEOS)
        #expect(t.tokenType(sot) == .control && t.tokenType(mask) == .userDefined)
    }
}
