import GGUF
import Kernels
import TestSupport
import Testing
import Tokenizers
@testable import VocabExtension

/// Extension of tiny synthetic models: the vocabulary, merges/scores, and the grown matrices.
@Suite struct VocabularyExtenderTests {
    static let kazakh = Array(repeating: "Қазақстан қазақ тілі қазақша сөйлейді. Қазақ халқы қонақжай. ", count: 6).joined()

    /// A byte-level BPE tiny model (258 tokens, no merges) with `type` matrices.
    static func bpeModel(type: GGMLType = .q8_0, untied: Bool = false) throws -> GGUFFile {
        var b = TinyModelBuilder()
        b.byteLevelTokenizer = true
        b.embedding = 32
        b.layers = 1
        b.heads = 2
        b.kvHeads = 1
        b.embeddingType = type
        b.untiedOutput = untied
        return try GGUFFile(bytes: try b.build().encode())
    }

    /// A SentencePiece tiny model: <unk> <s> </s>, the 256 byte tokens, then the corpus' letters and '▁'.
    static func spmModel() throws -> GGUFFile {
        let letters = Array(Set(kazakh.replacingOccurrences(of: " ", with: "▁"))).map(String.init).sorted()
        let hex = (0..<256).map { String(format: "<0x%02X>", $0) }
        let tokens = ["<unk>", "<s>", "</s>"] + hex + letters
        var b = TinyModelBuilder()
        b.vocabulary = tokens.count
        b.embedding = 32
        b.layers = 1
        b.heads = 2
        b.kvHeads = 1
        b.embeddingType = .f16
        var w = try b.build()
        w.set("tokenizer.ggml.model", .string("llama"))
        w.set("tokenizer.ggml.tokens", .array(.string(tokens)))
        w.set("tokenizer.ggml.scores", .array(.float32(tokens.indices.map { -Float($0) })))
        let types: [Int32] = [2, 3, 3] + Array(repeating: 6, count: 256) + Array(repeating: 1, count: letters.count)
        w.set("tokenizer.ggml.token_type", .array(.int32(types)))
        w.set("tokenizer.ggml.add_space_prefix", .bool(false))
        return try GGUFFile(bytes: try w.encode())
    }

    static func learn(_ file: GGUFFile, add: Int, text: String = kazakh) throws -> [LearnedToken] {
        let tokenizer = try #require(try TokenizerFactory.load(from: file) as? any MergeUnitTokenizer)
        var units = CorpusUnits(tokenizer: tokenizer)
        units.add(text)
        return VocabularyLearner.learn(units: units.segmented(), base: VocabularyExtender.base(of: tokenizer), count: add, minFrequency: 2)
    }

    static func rows(_ file: GGUFFile, _ name: String) throws -> [[Float]] {
        let t = try #require(file.tensor(named: name))
        let data = file.tensorData(t)
        let rowBytes = try #require(t.type.rowBytes(t.columns))
        return (0..<t.rows).map { r in
            var row = [Float](repeating: 0, count: t.columns)
            row.withUnsafeMutableBufferPointer { Dequantize.row(t.type, data.baseAddress! + r * rowBytes, $0.baseAddress!, count: t.columns) }
            return row
        }
    }

    @Test func bpeExtensionEncodesTheNewWordsWithFewerTokens() throws {
        let base = try Self.bpeModel()
        let learned = try Self.learn(base, add: 40)
        #expect(learned.count == 40)
        let extended = try GGUFFile(bytes: try VocabularyExtender.extend(base, with: learned).encode())
        let before = try TokenizerFactory.load(from: base)
        let after = try TokenizerFactory.load(from: extended)
        #expect(after.vocabularySize == 258 + 40)
        let text = "Қазақ халқы қазақша сөйлейді"
        let a = after.encode(text, addSpecial: false, parseSpecial: false)
        let b = before.encode(text, addSpecial: false, parseSpecial: false)
        #expect(a.count * 2 < b.count)
        #expect(after.decode(a) == text)
        // Every learned token that is whole characters is reachable: encoding its text gives it
        // back. (Byte-level BPE also learns pairs of bytes inside a character, as here where the
        // base has no merges at all.)
        var whole = 0
        for t in learned {
            guard let piece = String(validating: t.pieces.flatMap { before.pieceBytes($0, special: false) }, as: UTF8.self) else { continue }
            whole += 1
            #expect(after.encode(piece, addSpecial: false, parseSpecial: false) == [t.id], "token \(t.id) '\(piece)'")
        }
        #expect(whole >= 10)
        // Merges appended after the (here empty) existing list, one per token.
        let merges = try #require(extended.metadata["tokenizer.ggml.merges"]?.array?.strings)
        #expect(merges.count == 40)
        #expect(extended.metadata["llama.vocab_size"]?.int == 298)
        #expect(extended.metadata[VocabularyExtender.baseSizeKey]?.int == 258)
        #expect(extended.metadata[VocabularyExtender.addedKey]?.int == 40)
        #expect(extended.metadata["tokenizer.ggml.token_type"]?.array?.integers?.suffix(40).allSatisfy { $0 == 1 } == true)
    }

    @Test(arguments: [GGMLType.f32, .f16, .q8_0, .q4_1, .q6_K])
    func newRowsAreTheMeanOfThePiecesAndOldRowsAreUntouched(type: GGMLType) throws {
        var b = TinyModelBuilder()
        b.byteLevelTokenizer = true
        b.embedding = 256  // a whole K-quant block
        b.layers = 1
        b.heads = 2
        b.kvHeads = 1
        b.embeddingType = type
        b.untiedOutput = true
        let base = try GGUFFile(bytes: try b.build().encode())
        let learned = try Self.learn(base, add: 12)
        let extended = try GGUFFile(bytes: try VocabularyExtender.extend(base, with: learned).encode())
        for name in ["token_embd.weight", "output.weight"] {
            let old = try #require(base.tensor(named: name)), new = try #require(extended.tensor(named: name))
            #expect(new.type == old.type && new.dimensions == [old.columns, old.rows + 12])
            #expect(Array(extended.tensorData(new).prefix(old.byteCount)) == Array(base.tensorData(old)))
            let oldRows = try Self.rows(base, name), newRows = try Self.rows(extended, name)
            for t in learned {
                let mean = (0..<old.columns).map { c in t.pieces.map { oldRows[Int($0)][c] }.reduce(0, +) / Float(t.pieces.count) }
                let expected = try Self.roundTrip(mean, type)
                #expect(newRows[Int(t.id)] == expected, "\(name) row \(t.id)")
            }
        }
        // Every other tensor is copied byte for byte.
        for t in base.tensors where t.name != "token_embd.weight" && t.name != "output.weight" {
            let n = try #require(extended.tensor(named: t.name))
            #expect(Array(extended.tensorData(n)) == Array(base.tensorData(t)))
        }
    }

    static func roundTrip(_ x: [Float], _ type: GGMLType) throws -> [Float] {
        let bytes = try Quantize.quantize(x, to: type)
        var out = [Float](repeating: 0, count: x.count)
        bytes.withUnsafeBytes { src in out.withUnsafeMutableBufferPointer { Dequantize.row(type, src.baseAddress!, $0.baseAddress!, count: x.count) } }
        return out
    }

    @Test func sentencePieceExtensionAddsScoredPieces() throws {
        let base = try Self.spmModel()
        let learned = try Self.learn(base, add: 30)
        #expect(learned.count == 30)
        let extended = try GGUFFile(bytes: try VocabularyExtender.extend(base, with: learned).encode())
        let n = base.metadata["tokenizer.ggml.tokens"]?.array?.count ?? 0
        let scores = try #require(extended.metadata["tokenizer.ggml.scores"]?.array?.floats)
        let oldMin = scores[0..<n].min()!
        // Below every existing score, one apart, in the order learned.
        #expect(scores[n...].allSatisfy { $0 < oldMin })
        #expect(zip(scores[n...], scores[(n + 1)...]).allSatisfy { $0 == $1 + 1 })
        #expect(extended.metadata["tokenizer.ggml.merges"] == nil)
        let before = try TokenizerFactory.load(from: base), after = try TokenizerFactory.load(from: extended)
        let text = "Қазақ халқы қазақша сөйлейді"
        let a = after.encode(text, addSpecial: false, parseSpecial: false)
        #expect(a.count * 2 < before.encode(text, addSpecial: false, parseSpecial: false).count)
        #expect(after.decode(a) == text)
        #expect(learned.allSatisfy { $0.text.contains("▁") ? $0.text.hasPrefix("▁") : true })
    }

    @Test func extendingTwiceKeepsTheFirstBaseSize() throws {
        let base = try Self.bpeModel()
        let once = try GGUFFile(bytes: try VocabularyExtender.extend(base, with: try Self.learn(base, add: 5)).encode())
        let twice = try GGUFFile(bytes: try VocabularyExtender.extend(once, with: try Self.learn(once, add: 5)).encode())
        #expect(try TokenizerFactory.load(from: twice).vocabularySize == 268)
        #expect(twice.metadata[VocabularyExtender.baseSizeKey]?.int == 258)
        #expect(twice.metadata[VocabularyExtender.addedKey]?.int == 10)
    }

    @Test func refusesWhatItCannotExtend() throws {
        // A vocabulary family without merges.
        var b = TinyModelBuilder()
        b.byteLevelTokenizer = true
        var w = try b.build()
        w.set("tokenizer.ggml.model", .string("bert"))
        let bert = try GGUFFile(bytes: try w.encode())
        #expect(throws: VocabExtensionError.unsupportedTokenizer("bert")) { try VocabularyExtender.family(of: bert) }
        // Counts out of range.
        #expect(throws: VocabExtensionError.self) { try VocabularyExtender.check(count: 0, vocabularySize: 10) }
        #expect(throws: VocabExtensionError.self) { try VocabularyExtender.check(count: VocabularyExtender.maxAdded + 1, vocabularySize: 10) }
        #expect(throws: VocabExtensionError.self) { try VocabularyExtender.check(count: 10, vocabularySize: Int(Int32.max) - 5) }
        // A matrix type Aqyl cannot re-encode.
        let q81 = try Self.bpeModel(type: .q8_1)
        let learned = try Self.learn(try Self.bpeModel(), add: 3)
        #expect(throws: VocabExtensionError.unsupportedMatrixType(tensor: "token_embd.weight", type: .q8_1)) {
            try VocabularyExtender.extend(q81, with: learned)
        }
        // Tokens that do not continue the vocabulary's ids.
        var shifted = learned
        shifted[0].id += 1
        #expect(throws: VocabExtensionError.self) { try VocabularyExtender.extend(try Self.bpeModel(), with: shifted) }
    }
}
