import Foundation

/// How an item becomes a prompt. The id goes into every result's protocol: the
/// same questions under another template are a different measurement.
public enum PromptTemplate: String, Sendable, Codable, CaseIterable {
    /// `[passage\n\n]Сұрақ: {question}\nЖауап:` and each choice's text as the
    /// continuation (cloze style: the model scores the answer words themselves).
    case kazakhCloze = "kk-cloze-v1"
    /// lm-eval's MMLU layout: `{question}\nA. …\nB. …\nAnswer:`, continuations ` A`, ` B`, …
    case letters = "mmlu-letters-v1"
    /// lm-eval's `belebele_*` layout: `P: {passage}\nQ: {question}\nA: …\nB: …\nC: …\nD: …\nAnswer:`.
    case belebele = "belebele-v1"
    /// Generative: `Сұрақ: {question}\nЖауап:`, greedy until a newline.
    case kazakhQA = "kk-qa-v1"
    /// Perplexity: the text itself in rolling windows.
    case raw = "raw-v1"

    /// lm-eval's `target_delimiter` between context and continuation.
    static let targetDelimiter = " "
    /// lm-eval's `fewshot_delimiter` after each example.
    static let fewshotDelimiter = "\n\n"
    static let letterNames = ["A", "B", "C", "D", "E", "F", "G", "H"]

    public var isMultipleChoice: Bool { self == .kazakhCloze || self == .letters || self == .belebele }

    /// The prompt of one question, without the answer.
    public func context(_ item: MultipleChoiceItem) -> String {
        switch self {
        case .letters:
            var s = item.passage.map { $0 + "\n\n" } ?? ""
            s += item.question.trimmed
            for (i, c) in item.choices.enumerated() { s += "\n\(Self.letterNames[i]). \(c.trimmed)" }
            return s + "\nAnswer:"
        case .belebele:
            var s = "P: \((item.passage ?? "").trimmed)\nQ: \(item.question.trimmed)"
            for (i, c) in item.choices.enumerated() { s += "\n\(Self.letterNames[i]): \(c.trimmed)" }
            return s + "\nAnswer:"
        default:
            let head = item.passage.map { $0.trimmed + "\n\n" } ?? ""
            return head + "Сұрақ: \(item.question.trimmed)\nЖауап:"
        }
    }

    /// What each choice is scored as (lm-eval's `doc_to_choice`), without the delimiter.
    public func choiceStrings(_ item: MultipleChoiceItem) -> [String] {
        switch self {
        case .letters, .belebele: return Array(Self.letterNames.prefix(item.choices.count))
        default: return item.choices.map(\.trimmed)
        }
    }

    public func context(_ item: GenerativeItem) -> String {
        "Сұрақ: \(item.question.trimmed)\nЖауап:"
    }

    /// `shots` solved examples, then the query: lm-eval's few-shot layout.
    public func fewShotContext(_ item: MultipleChoiceItem, shots: [MultipleChoiceItem]) -> String {
        var s = ""
        for shot in shots {
            s += context(shot) + Self.targetDelimiter + choiceStrings(shot)[shot.answer] + Self.fewshotDelimiter
        }
        return s + context(item)
    }

    public func fewShotContext(_ item: GenerativeItem, shots: [GenerativeItem]) -> String {
        var s = ""
        for shot in shots {
            s += context(shot) + Self.targetDelimiter + (shot.answers.first ?? "") + Self.fewshotDelimiter
        }
        return s + context(item)
    }
}

extension String {
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
