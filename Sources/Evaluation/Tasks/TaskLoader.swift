import Foundation

/// Reads task files: the project's JSONL schema (docs/eval.md), Belebele's JSONL
/// rows and KazMMLU's CSV files, unchanged. A directory is every `.jsonl` and
/// `.csv` file in it, one task per file, in name order.
public struct TaskLoader: Sendable {
    /// Stop at the first bad line (true) or skip it with a warning.
    public var strict: Bool
    /// Replaces each layout's default template where the item type allows it.
    public var template: PromptTemplate?
    /// Skipped lines as `file:line: reason`.
    public private(set) var warnings: [String] = []

    public init(strict: Bool = false, template: PromptTemplate? = nil) {
        self.strict = strict
        self.template = template
    }

    public mutating func load(path: String) throws -> [EvalTask] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw EvaluationError.unreadable(path: path, reason: "no such file or directory")
        }
        if isDirectory.boolValue {
            let names = try FileManager.default.contentsOfDirectory(atPath: path)
                .filter { $0.hasSuffix(".jsonl") || $0.hasSuffix(".csv") }
                .sorted()
            guard !names.isEmpty else { throw EvaluationError.emptyTask("\(path) (no .jsonl or .csv task files)") }
            return try names.map { try loadFile((path as NSString).appendingPathComponent($0)) }
        }
        return [try loadFile(path)]
    }

    public mutating func loadFile(_ path: String) throws -> EvalTask {
        let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        if path.hasSuffix(".csv") {
            let items = try KazMMLULoader.load(path: path, strict: strict, warnings: &warnings)
            return try task(name, .multipleChoice(items), default: .letters, source: "\(path) (KazMMLU CSV)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EvaluationError.unreadable(path: path, reason: "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw EvaluationError.unreadable(path: path, reason: "not UTF-8 text")
        }
        // Parse first, report in line order: a broken line 4 is reported after a line 2 missing a field.
        var rows: [(line: Int, object: [String: Any]?)] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            rows.append((i + 1, (try? JSONSerialization.jsonObject(with: Data(trimmed.utf8))) as? [String: Any]))
        }
        guard let first = rows.lazy.compactMap(\.object).first else {
            if let bad = rows.first { try reject(path, bad.line, "not a JSON object") }
            throw EvaluationError.emptyTask(path)
        }
        var reader = RowReader(path: path, strict: strict)
        defer { warnings += reader.warnings }
        func each<T>(_ parse: (inout RowReader, [String: Any], Int) throws -> T?) throws -> [T] {
            var out: [T] = []
            for row in rows {
                guard let object = row.object else {
                    let _: T? = try reader.fail(row.line, "not a JSON object")
                    continue
                }
                if let item = try parse(&reader, object, row.line) { out.append(item) }
            }
            return out
        }
        if first["flores_passage"] != nil {
            let items = try each { try $0.belebele($1, line: $2) }
            return try task(name, .multipleChoice(items), default: .belebele, source: "\(path) (Belebele JSONL)")
        } else if first["choices"] != nil {
            let items = try each { try $0.multipleChoice($1, line: $2) }
            return try task(name, .multipleChoice(items), default: .kazakhCloze, source: "\(path) (Aqyl JSONL, multiple choice)")
        } else if first["answers"] != nil || first["answer"] is String {
            let items = try each { try $0.generative($1, line: $2) }
            let metric = (first["metric"] as? String).flatMap(GenerativeMetric.init(rawValue:)) ?? .exactMatch
            return try task(name, .generative(items, primary: metric), default: .kazakhQA, source: "\(path) (Aqyl JSONL, generative)")
        } else if first["text"] != nil {
            let items = try each { try $0.perplexity($1, line: $2) }
            return try task(name, .perplexity(items), default: .raw, source: "\(path) (Aqyl JSONL, perplexity)")
        }
        let line = rows.first { $0.object != nil }?.line ?? 1
        throw EvaluationError.unknownFormat(path: path, reason: "line \(line) has none of the fields 'choices' "
            + "(multiple choice), 'answers' (generative), 'text' (perplexity) or 'flores_passage' (Belebele); see docs/eval.md")
    }

    private mutating func reject(_ path: String, _ line: Int, _ reason: String) throws {
        if strict { throw EvaluationError.badItem(file: path, line: line, reason: reason) }
        warnings.append("\(path):\(line): \(reason) (skipped)")
    }

    private func task(_ name: String, _ items: EvalTask.Items, default fallback: PromptTemplate, source: String) throws -> EvalTask {
        var t = EvalTask(name: name, items: items, template: fallback, source: source)
        guard t.count > 0 else { throw EvaluationError.emptyTask(source) }
        if let template {
            switch items {
            case .multipleChoice where template.isMultipleChoice: t.template = template
            case .multipleChoice:
                throw EvaluationError.invalidOption("template \(template.rawValue) does not fit multiple-choice task \(name)")
            default: break
            }
        }
        return t
    }
}

/// Field checks for one JSONL row; a bad row throws (strict) or is skipped with a warning.
struct RowReader {
    let path: String
    let strict: Bool
    var warnings: [String] = []

    mutating func fail<T>(_ line: Int, _ reason: String) throws -> T? {
        if strict { throw EvaluationError.badItem(file: path, line: line, reason: reason) }
        warnings.append("\(path):\(line): \(reason) (skipped)")
        return nil
    }

    func string(_ o: [String: Any], _ key: String) -> String? {
        guard let s = o[key] as? String, !s.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return nil }
        return s
    }

    func id(_ o: [String: Any], line: Int) -> String {
        if let s = o["id"] as? String { return s }
        if let n = o["id"] as? Int { return String(n) }
        return "line-\(line)"
    }

    mutating func multipleChoice(_ o: [String: Any], line: Int) throws -> MultipleChoiceItem? {
        guard let question = string(o, "question") else { return try fail(line, "missing field 'question'") }
        guard let choices = o["choices"] as? [String], choices.count >= 2 else {
            return try fail(line, "'choices' must be an array of at least two strings")
        }
        guard choices.count <= PromptTemplate.letterNames.count else { return try fail(line, "more than 8 choices") }
        guard let answer = o["answer"] as? Int else { return try fail(line, "missing integer field 'answer'") }
        guard choices.indices.contains(answer) else {
            return try fail(line, "'answer' \(answer) is outside 0..<\(choices.count)")
        }
        return MultipleChoiceItem(id: id(o, line: line), passage: string(o, "passage"), question: question,
                                  choices: choices, answer: answer)
    }

    mutating func generative(_ o: [String: Any], line: Int) throws -> GenerativeItem? {
        guard let question = string(o, "question") else { return try fail(line, "missing field 'question'") }
        var answers = (o["answers"] as? [String]) ?? []
        if answers.isEmpty, let single = string(o, "answer") { answers = [single] }
        answers = answers.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        guard !answers.isEmpty else { return try fail(line, "missing field 'answers' (a non-empty array of strings)") }
        return GenerativeItem(id: id(o, line: line), question: question, answers: answers)
    }

    mutating func perplexity(_ o: [String: Any], line: Int) throws -> PerplexityItem? {
        guard let text = string(o, "text") else { return try fail(line, "missing field 'text'") }
        return PerplexityItem(id: id(o, line: line), text: text)
    }

    /// Belebele: flores_passage, question, mc_answer1..4, correct_answer_num ("1"–"4").
    mutating func belebele(_ o: [String: Any], line: Int) throws -> MultipleChoiceItem? {
        guard let passage = string(o, "flores_passage") else { return try fail(line, "missing field 'flores_passage'") }
        guard let question = string(o, "question") else { return try fail(line, "missing field 'question'") }
        var choices: [String] = []
        for k in 1...4 {
            guard let c = o["mc_answer\(k)"] as? String else { return try fail(line, "missing field 'mc_answer\(k)'") }
            choices.append(c)
        }
        let raw = (o["correct_answer_num"] as? String) ?? (o["correct_answer_num"] as? Int).map(String.init)
        guard let raw, let number = Int(raw.trimmingCharacters(in: .whitespaces)), (1...4).contains(number) else {
            return try fail(line, "'correct_answer_num' must be 1–4")
        }
        let id = (o["link"] as? String).map { "\($0)#\(o["question_number"] ?? line)" } ?? "line-\(line)"
        return MultipleChoiceItem(id: id, passage: passage, question: question, choices: choices, answer: number - 1)
    }
}
