import Engine
import GGUF
import Tokenizers
import Training

/// `aqyl finetune` data files (plain text, text JSONL, chat JSONL, instruction JSONL)
/// read with a real vocabulary and chat template (the Llama-3 tokenizer fixture).
///
/// Input: the first byte picks the format (auto-detected, or one of the four); the rest is the file.
enum TrainingDataHarness {
    static let target = FuzzTarget(name: "training-data", summary: "finetune data: text, text/chat/instruction JSONL through the chat template") {
        let file = try GGUFFile(path: try InputFile.fixture("llama3-tiny/llama3-tiny.gguf").path())
        let tokenizer = try TokenizerFactory.load(from: file)
        let formatter = try ChatFormatter(file: file, tokenizer: tokenizer)
        let loader = TrainingDataLoader(tokenizer: tokenizer, formatter: formatter, context: 64)
        let formats: [TrainingDataFormat?] = [nil] + TrainingDataFormat.allCases.map { $0 }
        return { bytes in
            guard let first = bytes.first else { return }
            let text = String(decoding: bytes.dropFirst(), as: UTF8.self)
            guard let set = try? loader.load(text: text, path: "fuzz.jsonl", format: formats[Int(first) % formats.count]) else { return }
            for example in set.examples {
                precondition(example.tokens.count == example.targets.count && example.tokens.count <= 64, "a window breaks the context")
                for id in example.tokens where id < 0 || Int(id) >= tokenizer.vocabularySize { preconditionFailure("token \(id) outside the vocabulary") }
            }
        }
    }
}
