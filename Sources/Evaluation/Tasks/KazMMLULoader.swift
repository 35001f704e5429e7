import Foundation
import SwiftCSV

/// KazMMLU's public CSV layout: `Question`, `Option A` … `Option E`, `Answer Key`
/// (a letter). Empty options are dropped; the answer letter is mapped to the kept ones.
enum KazMMLULoader {
    static let optionColumns = ["Option A", "Option B", "Option C", "Option D", "Option E"]

    static func load(path: String, strict: Bool, warnings: inout [String]) throws -> [MultipleChoiceItem] {
        let csv: NamedCSV
        do {
            csv = try NamedCSV(url: URL(fileURLWithPath: path), delimiter: .comma, loadColumns: false)
        } catch {
            throw EvaluationError.unreadable(path: path, reason: "not a readable CSV file (\(error))")
        }
        let header = Set(csv.header.map { $0.trimmingCharacters(in: .whitespaces) })
        for required in ["Question", "Answer Key", "Option A", "Option B"] where !header.contains(required) {
            throw EvaluationError.unknownFormat(path: path, reason: "CSV header lacks '\(required)' (KazMMLU layout: "
                + "Question, Option A..E, Answer Key); header is \(csv.header)")
        }
        var items: [MultipleChoiceItem] = []
        for (i, row) in csv.rows.enumerated() {
            let line = i + 2  // 1-based, after the header
            func field(_ key: String) -> String {
                (row[key] ?? row.first { $0.key.trimmingCharacters(in: .whitespaces) == key }?.value ?? "")
                    .trimmingCharacters(in: .whitespacesAndNewlines)
            }
            func skip(_ reason: String) throws {
                if strict { throw EvaluationError.badItem(file: path, line: line, reason: reason) }
                warnings.append("\(path):\(line): \(reason) (skipped)")
            }
            let question = field("Question")
            guard !question.isEmpty else { try skip("empty 'Question'"); continue }
            let key = field("Answer Key").uppercased()
            guard let letterIndex = ["A", "B", "C", "D", "E"].firstIndex(of: key) else {
                try skip("'Answer Key' must be a letter A–E, got '\(key)'")
                continue
            }
            var choices: [String] = []
            var answer: Int?
            for (k, column) in optionColumns.enumerated() {
                let option = field(column)
                if option.isEmpty { continue }
                if k == letterIndex { answer = choices.count }
                choices.append(option)
            }
            guard let answer, choices.count >= 2 else {
                try skip("the answer's option '\(key)' is empty, or fewer than two options")
                continue
            }
            let id = field("id").isEmpty ? "row-\(line)" : field("id")
            items.append(MultipleChoiceItem(id: id, question: question, choices: choices, answer: answer))
        }
        return items
    }
}
