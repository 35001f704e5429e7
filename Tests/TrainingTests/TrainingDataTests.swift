import Engine
import Foundation
import GGUF
import TestSupport
import Testing
import Tokenizers
import Models
@testable import Training

/// Data formats, assistant-only loss masks and bad lines, on a tiny model with
/// a byte-level vocabulary and a ChatML template.
@Suite struct TrainingDataTests {
    static func loader(context: Int = 512, strict: Bool = false) throws -> (TrainingDataLoader, any Tokenizer) {
        var b = TinyModelBuilder()
        b.byteLevelTokenizer = true
        let file = try GGUFFile(bytes: try b.build().encode())
        let tokenizer = try TokenizerFactory.load(from: file)
        let formatter = try ChatFormatter(file: file, tokenizer: tokenizer)
        return (TrainingDataLoader(tokenizer: tokenizer, formatter: formatter, context: context, strict: strict), tokenizer)
    }

    static func write(_ text: String, _ name: String) throws -> String {
        let path = NSTemporaryPath(name)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func scoredText(_ ex: TrainingExample, _ tok: any Tokenizer) -> String {
        String(decoding: ex.targets.filter { $0 >= 0 }.flatMap { tok.pieceBytes($0, special: true) }, as: UTF8.self)
    }

    @Test func chatScoresOnlyAssistantReplies() throws {
        let (loader, tok) = try Self.loader()
        let line = #"{"messages":[{"role":"system","content":"Қысқа жауап бер."},{"role":"user","content":"Сәлем!"},"#
            + #"{"role":"assistant","content":"Сәлеметсіз бе!"},{"role":"user","content":"Қалың қалай?"},{"role":"assistant","content":"Жақсы."}]}"#
        let set = try loader.load(path: try Self.write(line + "\n", "chat.jsonl"))
        #expect(set.format == .chat)
        let ex = try #require(set.examples.first)
        #expect(ex.tokens.count == ex.targets.count)
        // Inputs shifted by one are the targets wherever a target is scored.
        for t in 0..<(ex.tokens.count - 1) where ex.targets[t] >= 0 { #expect(ex.targets[t] == ex.tokens[t + 1]) }
        #expect(Self.scoredText(ex, tok) == "Сәлеметсіз бе!<|im_end|>\nЖақсы.<|im_end|>\n")
    }

    @Test func instructionLayoutScoresTheOutput() throws {
        let (loader, tok) = try Self.loader()
        let text = #"{"instruction":"Аудар:","input":"hello","output":"сәлем"}"# + "\n"
        let set = try loader.load(path: try Self.write(text, "alpaca.jsonl"))
        #expect(set.format == .instruction)
        #expect(Self.scoredText(set.examples[0], tok) == "сәлем<|im_end|>\n")
    }

    @Test func plainTextIsPackedIntoWindows() throws {
        let (loader, _) = try Self.loader(context: 16)
        let set = try loader.load(path: try Self.write(String(repeating: "Алматы — әдемі қала. ", count: 4), "kk.txt"))
        #expect(set.format == .text)
        #expect(set.examples.dropLast().allSatisfy { $0.tokens.count == 16 })
        #expect(set.examples.allSatisfy { $0.scoredTokens == $0.tokens.count })
        for (a, b) in zip(set.examples, set.examples.dropFirst()) { #expect(a.targets.last == b.tokens.first) }
    }

    @Test func malformedLinesAreReportedWithTheirNumbers() throws {
        let good = #"{"messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b"}]}"#
        let text = [good, "{not json", "", #"{"messages":[{"role":"user"}]}"#, good].joined(separator: "\n")
        let path = try Self.write(text, "bad.jsonl")
        let (loader, _) = try Self.loader()
        let set = try loader.load(path: path, format: .chat)
        #expect(set.examples.count == 2)
        #expect(set.issues.map(\.line) == [2, 4])
        #expect(set.issues[0].message.contains("not valid JSON"))
        let (strict, _) = try Self.loader(strict: true)
        #expect(throws: TrainingDataError.malformed(DataIssue(path: path, line: 2, message: "not valid JSON"))) {
            _ = try strict.load(path: path, format: .chat)
        }
    }

    @Test func emptyAndUnreadableDataAreRefused() throws {
        let (loader, _) = try Self.loader()
        #expect(throws: TrainingDataError.self) { _ = try loader.load(path: try Self.write("", "empty.txt")) }
        #expect(throws: TrainingDataError.self) { _ = try loader.load(path: try Self.write("\n\n{oops\n", "x.jsonl"), format: .chat) }
        #expect(throws: TrainingDataError.self) { _ = try loader.load(path: "/nonexistent/data.txt") }
    }

    @Test func optionsRefuseWhatCannotTrain() throws {
        var o = TrainingOptions()
        o.context = 4096
        #expect(throws: TrainingOptionsError.self) { try o.validate(modelContext: 2048) }
        o.context = 256
        try o.validate(modelContext: 2048)
        o.rank = 0
        #expect(throws: TrainingOptionsError.self) { try o.validate(modelContext: 2048) }
        #expect(throws: LoRAError.self) { _ = try LoRATarget.parseList("q,lm_head") }
        #expect(try LoRATarget.parseList("q_proj,attn_v,down") == [.q, .v, .down])
    }
}
