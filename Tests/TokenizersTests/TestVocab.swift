import GGUF
import Tokenizers

/// Builds tiny in-memory GGUF vocabularies for unit tests.
enum TestVocab {
    static func file(_ entries: [(String, GGUFValue)]) throws -> GGUFFile {
        var w = GGUFWriter()
        w.set("general.architecture", .string("llama"))
        for (k, v) in entries { w.set(k, v) }
        return try GGUFFile(bytes: try w.encode())
    }

    /// A byte-level BPE vocabulary: the 256 byte characters, then `extra` tokens,
    /// then `specials` (with their types), merges in the given order.
    static func bpe(pre: String?, extra: [String], merges: [String],
                    specials: [(String, TokenType)] = []) throws -> any Tokenizer {
        var tokens = (0..<256).map { ByteLevel.encode([UInt8($0)]) }
        var types = [Int32](repeating: TokenType.normal.rawValue, count: 256)
        for t in extra { tokens.append(t); types.append(TokenType.normal.rawValue) }
        for (t, ty) in specials { tokens.append(t); types.append(ty.rawValue) }
        var md: [(String, GGUFValue)] = [
            ("tokenizer.ggml.model", .string("gpt2")),
            ("tokenizer.ggml.tokens", .array(.string(tokens))),
            ("tokenizer.ggml.token_type", .array(.int32(types))),
            ("tokenizer.ggml.merges", .array(.string(merges))),
        ]
        if let pre { md.append(("tokenizer.ggml.pre", .string(pre))) }
        return try TokenizerFactory.load(from: file(md))
    }

    /// An SPM vocabulary: <unk>, <s>, </s>, the 256 `<0xNN>` byte tokens, then
    /// `pieces` with their scores and types.
    static func spm(pieces: [(String, Float, TokenType)], addSpacePrefix: Bool?) throws -> any Tokenizer {
        var tokens = ["<unk>", "<s>", "</s>"]
        var scores: [Float] = [0, 0, 0]
        var types: [Int32] = [TokenType.unknown.rawValue, TokenType.control.rawValue, TokenType.control.rawValue]
        let hex = Array("0123456789ABCDEF")
        for b in 0..<256 {
            tokens.append("<0x\(hex[b >> 4])\(hex[b & 15])>")
            scores.append(0)
            types.append(TokenType.byte.rawValue)
        }
        for (p, s, t) in pieces { tokens.append(p); scores.append(s); types.append(t.rawValue) }
        var md: [(String, GGUFValue)] = [
            ("tokenizer.ggml.model", .string("llama")),
            ("tokenizer.ggml.tokens", .array(.string(tokens))),
            ("tokenizer.ggml.scores", .array(.float32(scores))),
            ("tokenizer.ggml.token_type", .array(.int32(types))),
        ]
        if let addSpacePrefix { md.append(("tokenizer.ggml.add_space_prefix", .bool(addSpacePrefix))) }
        return try TokenizerFactory.load(from: file(md))
    }
}

extension Tokenizer {
    func ids(_ texts: [String]) -> [Int32] { texts.compactMap { tokenID($0) } }
}
