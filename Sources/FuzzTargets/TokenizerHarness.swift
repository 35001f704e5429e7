import GGUF
import Tokenizers

/// One real tokenizer (its vocabulary from a real file) fed arbitrary text to encode
/// and arbitrary token ids to decode.
///
/// Input: the first byte picks the mode (even: encode the rest as text; odd: decode the
/// rest as little-endian Int32 ids, invalid ones included).
enum TokenizerHarness {
    static func target(name: String, vocabulary: InputFile) -> FuzzTarget {
        FuzzTarget(name: name, summary: "encode arbitrary text and decode arbitrary ids with the vocabulary of \(vocabulary)") {
            let tokenizer = try TokenizerFactory.load(from: GGUFFile(path: try vocabulary.path()))
            // Bytes the vocabulary has no token for are dropped, by llama.cpp too (SmolLM2 has
            // none for 0x1D, say); the round trip is promised for text without them.
            let uncovered = Set((0...255).map(UInt8.init).filter { tokenizer.tokenID(ByteLevel.encode([$0])) == nil })
            return { bytes in run(tokenizer, bytes, uncovered: uncovered) }
        }
    }

    static func run(_ tokenizer: any Tokenizer, _ bytes: [UInt8], uncovered: Set<UInt8>) {
        guard let mode = bytes.first else { return }
        let rest = bytes.dropFirst()
        if mode & 1 == 0 {
            let text = String(decoding: rest, as: UTF8.self)
            let plain = tokenizer.encode(text, addSpecial: false, parseSpecial: false)
            checkRange(plain, tokenizer)
            let special = tokenizer.encode(text, addSpecial: true, parseSpecial: true)
            checkRange(special, tokenizer)
            // Text marked literal everywhere is plain text: special-token spellings stay text.
            let literal = tokenizer.encode(text, addSpecial: false, literal: [0..<text.utf8.count])
            precondition(literal == plain, "encode(literal: everything) differs from encode(parseSpecial: false)")
            if tokenizer is BPETokenizer, !text.utf8.contains(where: uncovered.contains) {
                // Byte-level BPE is lossless: every byte sequence survives a round trip.
                precondition(tokenizer.decode(plain) == text, "byte-level BPE round trip lost text")
            }
            checkStreaming(plain, tokenizer, special: false)
            checkStreaming(special, tokenizer, special: true)
        } else {
            var ids: [Int32] = []
            var i = rest.startIndex
            while i + 4 <= rest.endIndex {
                ids.append(Int32(bitPattern: UInt32(rest[i]) | UInt32(rest[i + 1]) << 8 | UInt32(rest[i + 2]) << 16 | UInt32(rest[i + 3]) << 24))
                i += 4
            }
            for id in ids {
                _ = tokenizer.tokenText(id)
                _ = tokenizer.tokenType(id)
            }
            checkStreaming(ids, tokenizer, special: true)
            checkStreaming(ids, tokenizer, special: false)
        }
    }

    static func checkRange(_ ids: [Int32], _ tokenizer: any Tokenizer) {
        for id in ids {
            precondition(id >= 0 && Int(id) < tokenizer.vocabularySize, "token id \(id) outside the vocabulary")
        }
    }

    /// Streamed text, piece by piece, is the text decoded at once: what a streaming
    /// client sees must equal the non-streamed answer.
    static func checkStreaming(_ ids: [Int32], _ tokenizer: any Tokenizer, special: Bool) {
        var stream = StreamingDecoder(tokenizer: tokenizer, special: special)
        var text = ""
        for id in ids { text += stream.append(id) }
        text += stream.flush()
        precondition(text == tokenizer.decode(ids, special: special), "streamed text differs from the text decoded at once")
    }
}
