import Foundation
import GGUF
import Testing
import Tokenizers

/// Checks against the real model vocabularies, when their files are present.
/// The expected ids were produced by llama.cpp (llama_tokenize from the same
/// llama.cpp revision that llama-cpp-python 0.3.36 vendors): `plain` is
/// (add_special: false, parse_special: false), `special` is (true, true).
struct RealVocabTests {
    struct Case: Sendable {
        let text: String
        let plain: [Int32]
        let special: [Int32]
        init(_ text: String, plain: [Int32], special: [Int32]) {
            self.text = text
            self.plain = plain
            self.special = special
        }
    }

    static let models = ProcessInfo.processInfo.environment["AQYL_MODELS"] ?? "/root/.cache/aqyl/models"
    static let smollmPath = "\(models)/smollm2-135m/SmolLM2-135M-Instruct.Q4_1.gguf"
    static let gemmaPath = "\(models)/gemma3-270m/gemma-3-270m-q4_k_m.gguf"
    /// A vocabulary-only GGUF built from Llama-3's tokenizer.json (pre `llama-bpe`).
    static let llama3Path = ProcessInfo.processInfo.environment["AQYL_LLAMA3_VOCAB"] ?? "/tmp/tokscratch/llama3-vocab.gguf"

    static func load(_ path: String) throws -> (any Tokenizer)? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try TokenizerFactory.load(from: GGUFFile(path: path))
    }

    static func check(_ tok: any Tokenizer, _ cases: [Case]) {
        for c in cases {
            #expect(tok.encode(c.text, addSpecial: false, parseSpecial: false) == c.plain, "\(c.text.debugDescription)")
            #expect(tok.encode(c.text, addSpecial: true, parseSpecial: true) == c.special, "\(c.text.debugDescription)")
            if !c.text.contains("<") {
                #expect(tok.decode(c.plain) == c.text)
            }
        }
    }

    /// Golden fixtures from llama.cpp, if another engineer's generator has written them:
    /// Tests/Fixtures/<model>/tokenize.json = [{"text", "ids", "ids_bos"}].
    static func checkFixture(_ tok: any Tokenizer, model: String) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        let url = root.appendingPathComponent("Fixtures/\(model)/tokenize.json")
        guard let data = try? Data(contentsOf: url) else { return }
        guard let rows = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] else { return }
        for row in rows {
            guard let text = row["text"] as? String else { continue }
            if let ids = row["ids"] as? [Int] {
                #expect(tok.encode(text, addSpecial: false, parseSpecial: false).map(Int.init) == ids, "\(model) \(text.debugDescription)")
            }
            if let ids = row["ids_bos"] as? [Int] {
                let a = tok.encode(text, addSpecial: true, parseSpecial: false).map(Int.init)
                let b = tok.encode(text, addSpecial: true, parseSpecial: true).map(Int.init)
                #expect(a == ids || b == ids, "\(model) \(text.debugDescription)")
            }
        }
    }

    @Test func smolLM2() throws {
        guard let tok = try Self.load(Self.smollmPath) else { return }
        #expect(tok.vocabularySize == 49152)
        #expect(!tok.addsBOS)
        #expect(tok.endOfGenerationIDs.contains(2))  // <|im_end|>
        Self.check(tok, Self.smollm)
        try Self.checkFixture(tok, model: "smollm2-135m")
    }

    @Test func gemma3() throws {
        let start = Date()
        guard let tok = try Self.load(Self.gemmaPath) else { return }
        #expect(Date().timeIntervalSince(start) < 3.0)  // ~0.15 s measured; slack for loaded CI
        #expect(tok.vocabularySize == 262_144)
        #expect(tok.addsBOS && tok.bosID == 2 && tok.eosID == 1)
        #expect(tok.endOfGenerationIDs.contains(tok.tokenID("<end_of_turn>") ?? -1))
        Self.check(tok, Self.gemma)
        try Self.checkFixture(tok, model: "gemma3-270m")
    }

    @Test func llama3() throws {
        guard let tok = try Self.load(Self.llama3Path) else { return }
        #expect(tok.addsBOS && tok.bosID == 128000)
        Self.check(tok, Self.llama3)
    }

    static let smollm: [Case] = [
        Case("Сәлем, әлем! Қазақстан — менің Отаным.",
             plain: [155, 111, 158, 243, 12681, 44758, 28, 216, 158, 243, 12681, 44758, 17, 216, 157, 244, 6511, 23035, 6511, 157, 245, 24674, 29929, 1841, 41337, 22140, 40275, 157, 113, 5470, 248, 8355, 29929, 18408, 17868, 30],
             special: [155, 111, 158, 243, 12681, 44758, 28, 216, 158, 243, 12681, 44758, 17, 216, 157, 244, 6511, 23035, 6511, 157, 245, 24674, 29929, 1841, 41337, 22140, 40275, 157, 113, 5470, 248, 8355, 29929, 18408, 17868, 30]),
        Case("Ақыл",
             plain: [155, 234, 157, 245, 18408, 12681],
             special: [155, 234, 157, 245, 18408, 12681]),
        Case("Привет, как дела?",
             plain: [155, 249, 46879, 16464, 32547, 28, 31338, 6511, 13760, 33427, 42292, 6511, 47],
             special: [155, 249, 46879, 16464, 32547, 28, 31338, 6511, 13760, 33427, 42292, 6511, 47]),
        Case("I'm sure they'll've done it",
             plain: [57, 5248, 2090, 502, 3060, 3543, 2294, 357],
             special: [57, 5248, 2090, 502, 3060, 3543, 2294, 357]),
        Case("def f(x):\n    return x**2  # комментарий",
             plain: [1604, 275, 24, 104, 727, 472, 1003, 1792, 828, 34, 216, 907, 31338, 41339, 17868, 22140, 8355, 6511, 46879, 24958],
             special: [1604, 275, 24, 104, 727, 472, 1003, 1792, 828, 34, 216, 907, 31338, 41339, 17868, 22140, 8355, 6511, 46879, 24958]),
        Case("1234567 3.14159 2024-11-30",
             plain: [33, 34, 35, 36, 37, 38, 39, 216, 35, 30, 33, 36, 33, 37, 41, 216, 34, 32, 34, 36, 29, 33, 33, 29, 35, 32],
             special: [33, 34, 35, 36, 37, 38, 39, 216, 35, 30, 33, 36, 33, 37, 41, 216, 34, 32, 34, 36, 29, 33, 33, 29, 35, 32]),
        Case("👋🏽 🇰🇿",
             plain: [10813, 235, 229, 10813, 233, 138, 15107, 225, 125, 10813, 225, 140],
             special: [10813, 235, 229, 10813, 233, 138, 15107, 225, 125, 10813, 225, 140]),
        Case("a  b   c\t\td\n\n\ne",
             plain: [81, 216, 278, 256, 265, 197, 197, 84, 1116, 198, 85],
             special: [81, 216, 278, 256, 265, 197, 197, 84, 1116, 198, 85]),
        Case(" hello",
             plain: [33662],
             special: [33662]),
        Case("<|im_start|>user<|im_end|>",
             plain: [44, 108, 306, 79, 3738, 108, 46, 4093, 44, 108, 306, 79, 486, 108, 46],
             special: [1, 4093, 2]),
        Case("<start_of_turn>",
             plain: [44, 3738, 79, 1714, 79, 20589, 46],
             special: [44, 3738, 79, 1714, 79, 20589, 46]),
        Case("Hello Сәлем 你好",
             plain: [19556, 45564, 158, 243, 12681, 44758, 216, 18645, 250, 48392, 138],
             special: [19556, 45564, 158, 243, 12681, 44758, 216, 18645, 250, 48392, 138]),
    ]
    static let gemma: [Case] = [
        Case("Сәлем, әлем! Қазақстан — менің Отаным.",
             plain: [237117, 237780, 32531, 236764, 60253, 32531, 236888, 107670, 236808, 3086, 238060, 31525, 2192, 11227, 236962, 238259, 4584, 1329, 7575, 236761],
             special: [2, 237117, 237780, 32531, 236764, 60253, 32531, 236888, 107670, 236808, 3086, 238060, 31525, 2192, 11227, 236962, 238259, 4584, 1329, 7575, 236761]),
        Case("Ақыл",
             plain: [237228, 238060, 50774],
             special: [2, 237228, 238060, 50774]),
        Case("Привет, как дела?",
             plain: [116130, 236764, 6815, 22633, 236881],
             special: [2, 116130, 236764, 6815, 22633, 236881]),
        Case("I'm sure they'll've done it",
             plain: [236777, 236789, 236757, 2889, 901, 236789, 859, 236789, 560, 3028, 625],
             special: [2, 236777, 236789, 236757, 2889, 901, 236789, 859, 236789, 560, 3028, 625]),
        Case("def f(x):\n    return x**2  # комментарий",
             plain: [2063, 517, 236769, 236781, 1473, 107, 140, 2060, 1123, 1018, 236778, 138, 236865, 95876, 27058],
             special: [2, 2063, 517, 236769, 236781, 1473, 107, 140, 2060, 1123, 1018, 236778, 138, 236865, 95876, 27058]),
        Case("1234567 3.14159 2024-11-30",
             plain: [236770, 236778, 236800, 236812, 236810, 236825, 236832, 236743, 236800, 236761, 236770, 236812, 236770, 236810, 236819, 236743, 236778, 236771, 236778, 236812, 236772, 236770, 236770, 236772, 236800, 236771],
             special: [2, 236770, 236778, 236800, 236812, 236810, 236825, 236832, 236743, 236800, 236761, 236770, 236812, 236770, 236810, 236819, 236743, 236778, 236771, 236778, 236812, 236772, 236770, 236770, 236772, 236800, 236771]),
        Case("👋🏽 🇰🇿",
             plain: [242687, 242713, 236743, 245124, 246679],
             special: [2, 242687, 242713, 236743, 245124, 246679]),
        Case("a  b   c\t\td\n\n\ne",
             plain: [236746, 138, 236763, 139, 236755, 255969, 236753, 109, 236744],
             special: [2, 236746, 138, 236763, 139, 236755, 255969, 236753, 109, 236744]),
        Case(" hello",
             plain: [29104],
             special: [2, 29104]),
        Case("<|im_start|>user<|im_end|>",
             plain: [236820, 236909, 548, 236779, 3041, 111038, 2364, 236820, 236909, 548, 236779, 643, 111038],
             special: [2, 236820, 236909, 548, 236779, 3041, 111038, 2364, 236820, 236909, 548, 236779, 643, 111038]),
        Case("<start_of_turn>",
             plain: [236820, 3041, 236779, 1340, 236779, 887, 236813],
             special: [2, 105]),
        Case("Hello Сәлем 你好",
             plain: [9259, 2965, 237780, 32531, 43758, 237389],
             special: [2, 9259, 2965, 237780, 32531, 43758, 237389]),
    ]
    static let llama3: [Case] = [
        Case("Сәлем, әлем! Қазақстан — менің Отаным.",
             plain: [19871, 143, 247, 37131, 11, 220, 143, 247, 37131, 0, 117482, 248, 109424, 142, 249, 52037, 2001, 108186, 142, 96, 104444, 7486, 101679, 13],
             special: [128000, 19871, 143, 247, 37131, 11, 220, 143, 247, 37131, 0, 117482, 248, 109424, 142, 249, 52037, 2001, 108186, 142, 96, 104444, 7486, 101679, 13]),
        Case("Ақыл",
             plain: [37255, 142, 249, 119793],
             special: [128000, 37255, 142, 249, 119793]),
        Case("Привет, как дела?",
             plain: [54745, 28089, 8341, 11, 52770, 123936, 30],
             special: [128000, 54745, 28089, 8341, 11, 52770, 123936, 30]),
        Case("I'm sure they'll've done it",
             plain: [40, 2846, 2771, 814, 3358, 3077, 2884, 433],
             special: [128000, 40, 2846, 2771, 814, 3358, 3077, 2884, 433]),
        Case("def f(x):\n    return x**2  # комментарий",
             plain: [755, 282, 2120, 997, 262, 471, 865, 334, 17, 220, 674, 44216, 93608, 17721, 44938],
             special: [128000, 755, 282, 2120, 997, 262, 471, 865, 334, 17, 220, 674, 44216, 93608, 17721, 44938]),
        Case("1234567 3.14159 2024-11-30",
             plain: [4513, 10961, 22, 220, 18, 13, 9335, 2946, 220, 2366, 19, 12, 806, 12, 966],
             special: [128000, 4513, 10961, 22, 220, 18, 13, 9335, 2946, 220, 2366, 19, 12, 806, 12, 966]),
        Case("👋🏽 🇰🇿",
             plain: [9468, 239, 233, 9468, 237, 121, 11410, 229, 108, 9468, 229, 123],
             special: [128000, 9468, 239, 233, 9468, 237, 121, 11410, 229, 108, 9468, 229, 123]),
        Case("a  b   c\t\td\n\n\ne",
             plain: [64, 220, 293, 256, 272, 197, 2765, 1432, 68],
             special: [128000, 64, 220, 293, 256, 272, 197, 2765, 1432, 68]),
        Case(" hello",
             plain: [24748],
             special: [128000, 24748]),
        Case("<|im_start|>user<|im_end|>",
             plain: [27, 91, 318, 5011, 91, 29, 882, 27, 91, 318, 6345, 91, 29],
             special: [128000, 27, 91, 318, 5011, 91, 29, 882, 27, 91, 318, 6345, 91, 29]),
        Case("<start_of_turn>",
             plain: [27, 2527, 3659, 38374, 29],
             special: [128000, 27, 2527, 3659, 38374, 29]),
        Case("Hello Сәлем 你好",
             plain: [9906, 28599, 143, 247, 37131, 118195, 53901],
             special: [128000, 9906, 28599, 143, 247, 37131, 118195, 53901]),
    ]}
