import Testing
import Tokenizers

struct StreamingDecoderTests {
    @Test func holdsSplitKazakhLetters() throws {
        let t = try TestVocab.spm(pieces: [], addSpacePrefix: false)
        let text = "Сәлем, Қазақстан!"
        let hex = Array("0123456789ABCDEF")
        let ids = text.utf8.compactMap { b in t.tokenID("<0x\(hex[Int(b >> 4)])\(hex[Int(b & 15)])>") }
        #expect(ids.count == text.utf8.count)
        var d = StreamingDecoder(tokenizer: t)
        var out = ""
        var emissions = 0
        for id in ids {
            let s = d.append(id)
            #expect(!s.contains("\u{FFFD}"))
            if !s.isEmpty { emissions += 1 }
            out += s
        }
        out += d.flush()
        #expect(out == text)
        #expect(emissions == text.count)  // one emission per character, never half of one
    }

    @Test func flushReplacesIncompleteSequence() throws {
        let t = try TestVocab.spm(pieces: [], addSpacePrefix: false)
        var d = StreamingDecoder(tokenizer: t)
        #expect(d.append(t.tokenID("<0xD3>") ?? -1) == "")  // first byte of "ә"
        #expect(d.flush() == "\u{FFFD}")
        #expect(d.append(t.tokenID("<0x41>") ?? -1) == "A")
        #expect(d.append(t.tokenID("<0xFF>") ?? -1) == "\u{FFFD}")  // never valid: not held
    }
}
