import GGUF
import Kernels
import Tokenizers

/// Writes a model whose vocabulary has the learned tokens appended: a normal GGUF that
/// llama.cpp loads as it loads the original.
///
/// - Vocabulary: the new tokens get ids after every existing one, type NORMAL. Byte-level
///   BPE gets one merge `"LEFT RIGHT"` per token after every existing merge (so existing
///   merges always apply first); SentencePiece gets each new piece with a score below
///   every existing normal piece's, in the order learned (SentencePiece merges by score).
/// - Embedding (`token_embd.weight`, one row per token): each new row is the mean of the
///   rows of the base tokens the new token stands for (FVT, Gee et al. 2022), encoded in
///   the matrix's own type.
/// - Untied output (`output.weight`): the same rule on the output rows. The mean of the
///   pieces' output rows gives the new token a logit near the average of its pieces'
///   logits, which is below its first piece's, so before training the model still prefers
///   the old spelling it was trained on, and the new token's probability mass comes mostly
///   from positions where its whole word was likely. Tied models share the one matrix.
/// - Metadata: `<arch>.vocab_size` follows the new size when present; `aqyl.vocab.base_size`
///   records the size before the first extension (training with `--train-embeddings new`
///   trains the rows from there on) and `aqyl.vocab.added` the tokens added.
public enum VocabularyExtender {
    /// The most tokens one extension may add.
    public static let maxAdded = 1_000_000
    public static let baseSizeKey = "aqyl.vocab.base_size"
    public static let addedKey = "aqyl.vocab.added"

    /// Which family a file's vocabulary is, or why it cannot be extended.
    public static func family(of file: GGUFFile) throws -> VocabularyFamily {
        let model = file.metadata["tokenizer.ggml.model"]?.string ?? ""
        guard let family = VocabularyFamily(ggmlModel: model) else { throw VocabExtensionError.unsupportedTokenizer(model) }
        return family
    }

    /// The base vocabulary as the learner sees it.
    public static func base(of tokenizer: any MergeUnitTokenizer) -> VocabularyLearner.Base {
        VocabularyLearner.Base(size: tokenizer.vocabularySize,
                               text: { tokenizer.tokenText($0) ?? "" },
                               mergeable: { tokenizer.tokenType($0) == .normal },
                               contains: { tokenizer.tokenID($0) != nil })
    }

    /// Validates `count` against the file's vocabulary before any work is done.
    public static func check(count: Int, vocabularySize: Int) throws {
        guard (1...maxAdded).contains(count) else {
            throw VocabExtensionError.badCount(count, reason: "give 1...\(maxAdded)")
        }
        guard vocabularySize + count < Int(Int32.max) else {
            throw VocabExtensionError.badCount(count, reason: "the vocabulary would exceed 2^31 tokens")
        }
    }

    /// The extended model.
    public static func extend(_ file: GGUFFile, with tokens: [LearnedToken]) throws -> GGUFWriter {
        let family = try family(of: file)
        guard let oldTokens = file.metadata["tokenizer.ggml.tokens"]?.array?.strings else {
            throw TokenizerError.missingVocabulary("tokenizer.ggml.tokens")
        }
        let n = oldTokens.count
        try check(count: max(tokens.count, 1), vocabularySize: n)
        for (k, t) in tokens.enumerated() where Int(t.id) != n + k {
            throw VocabExtensionError.badCount(tokens.count, reason: "learned token \(k) has id \(t.id), expected \(n + k)")
        }
        var w = GGUFWriter()
        for key in file.metadataKeys {
            guard let value = file.metadata[key] else { continue }
            w.set(key, value)
        }
        w.set("tokenizer.ggml.tokens", .array(.string(oldTokens + tokens.map(\.text))))
        if let types = file.metadata["tokenizer.ggml.token_type"]?.array?.integers {
            guard types.count >= n else { throw TokenizerError.invalidVocabulary("fewer token types than tokens") }
            let old = types[0..<n].map { Int32(truncatingIfNeeded: $0) }
            w.set("tokenizer.ggml.token_type", .array(.int32(old + Array(repeating: TokenType.normal.rawValue, count: tokens.count))))
        }
        let oldScores = file.metadata["tokenizer.ggml.scores"]?.array?.floats
        switch family {
        case .byteLevelBPE:
            guard let merges = file.metadata["tokenizer.ggml.merges"]?.array?.strings else {
                throw TokenizerError.missingVocabulary("tokenizer.ggml.merges")
            }
            let text = { (id: Int32) in Int(id) < n ? oldTokens[Int(id)] : tokens[Int(id) - n].text }
            w.set("tokenizer.ggml.merges", .array(.string(merges + tokens.map { text($0.left) + " " + text($0.right) })))
            if let s = oldScores, s.count >= n {
                w.set("tokenizer.ggml.scores", .array(.float32(Array(s[0..<n]) + Array(repeating: 0, count: tokens.count))))
            }
        case .sentencePiece:
            let s = oldScores.map { Array($0.prefix(n)) } ?? [Float](repeating: 0, count: n)
            guard s.count == n else { throw TokenizerError.invalidVocabulary("fewer scores than tokens") }
            w.set("tokenizer.ggml.scores", .array(.float32(s + newScores(base: s, types: file, count: tokens.count))))
        }
        if let arch = file.metadata["general.architecture"]?.string, file.metadata[arch + ".vocab_size"] != nil {
            w.set(arch + ".vocab_size", .uint32(UInt32(n + tokens.count)))
        }
        let previousBase = file.metadata[baseSizeKey]?.int.flatMap { $0 > 0 && $0 <= n ? $0 : nil }
        w.set(baseSizeKey, .uint32(UInt32(previousBase ?? n)))
        w.set(addedKey, .uint32(UInt32(n - (previousBase ?? n) + tokens.count)))

        guard file.tensor(named: "token_embd.weight") != nil else {
            throw VocabExtensionError.missingEmbedding("the model has no token_embd.weight")
        }
        for t in file.tensors {
            let data = file.tensorData(t)
            if t.name == "token_embd.weight" || t.name == "output.weight" {
                guard t.dimensions.count == 2, t.rows == n else {
                    throw VocabExtensionError.missingEmbedding("\(t.name) has \(t.rows) rows for \(n) tokens")
                }
                let rows = try meanRows(t, data: data, tokens: tokens)
                try w.addTensor(name: t.name, type: t.type, dimensions: [t.columns, n + tokens.count], from: file, tensor: t,
                                appending: rows)
            } else {
                try w.addTensor(name: t.name, type: t.type, dimensions: t.dimensions, from: file, tensor: t)
            }
        }
        return w
    }

    /// SentencePiece scores for the new pieces: below every existing normal piece's score,
    /// one apart, in the order learned.
    static func newScores(base: [Float], types file: GGUFFile, count: Int) -> [Float] {
        let types = file.metadata["tokenizer.ggml.token_type"]?.array?.integers
        var low = Float.greatestFiniteMagnitude
        for (i, s) in base.enumerated() where s.isFinite && (types == nil || types![i] == Int(TokenType.normal.rawValue)) {
            low = min(low, s)
        }
        if low == .greatestFiniteMagnitude { low = 0 }
        let start = low.rounded(.down) - 1
        return (0..<count).map { start - Float($0) }
    }

    /// The new rows of a vocabulary-sized matrix, encoded in its type: each the mean of the
    /// rows of the token's base pieces.
    static func meanRows(_ t: GGUFTensorInfo, data: UnsafeRawBufferPointer, tokens: [LearnedToken]) throws -> [UInt8] {
        guard Dequantize.supportedTypes.contains(t.type), Quantize.supportedTypes.contains(t.type),
              let rowBytes = t.type.rowBytes(t.columns), let base = data.baseAddress else {
            throw VocabExtensionError.unsupportedMatrixType(tensor: t.name, type: t.type)
        }
        let columns = t.columns
        var out: [UInt8] = []
        out.reserveCapacity(rowBytes * tokens.count)
        var row = [Float](repeating: 0, count: columns)
        var sum = [Float](repeating: 0, count: columns)
        for token in tokens {
            for c in 0..<columns { sum[c] = 0 }
            for piece in token.pieces {
                guard piece >= 0, Int(piece) < t.rows else {
                    throw VocabExtensionError.missingEmbedding("piece \(piece) of token \(token.id) is outside \(t.name)")
                }
                row.withUnsafeMutableBufferPointer { r in
                    Dequantize.row(t.type, base + Int(piece) * rowBytes, r.baseAddress!, count: columns)
                }
                for c in 0..<columns { sum[c] += row[c] }
            }
            let n = Float(max(token.pieces.count, 1))
            out += try Quantize.quantize(sum.map { $0 / n }, to: t.type)
        }
        return out
    }
}

/// The tokenizer families a vocabulary can be extended in.
public enum VocabularyFamily: String, Sendable, Codable {
    /// `tokenizer.ggml.model = gpt2`: Llama-3, Qwen2, SmolLM2.
    case byteLevelBPE = "bpe"
    /// `tokenizer.ggml.model = llama`: Gemma.
    case sentencePiece = "spm"

    init?(ggmlModel: String) {
        switch ggmlModel {
        case "gpt2": self = .byteLevelBPE
        case "llama": self = .sentencePiece
        default: return nil
        }
    }
}
