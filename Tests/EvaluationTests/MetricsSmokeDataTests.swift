import Foundation
import Testing
@testable import Evaluation

/// The smoke suite (data/eval/smoke/) must be scorable with these metrics: every accepted
/// answer survives normalisation, and each item's answers match each other's decorated forms.
@Suite struct MetricsSmokeDataTests {
    struct QAItem: Decodable {
        let id: String
        let question: String
        let answers: [String]
    }

    struct MCItem: Decodable {
        let id: String
        let choices: [String]
        let answer: Int
    }

    static func lines(_ file: String) throws -> [Data] {
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("data/eval/smoke/\(file)"), encoding: .utf8)
        return text.split(separator: "\n").map { Data($0.utf8) }
    }

    @Test func qaAnswersNormaliseAndMatch() throws {
        let items = try Self.lines("kk_qa_gen.jsonl").map { try JSONDecoder().decode(QAItem.self, from: $0) }
        #expect(items.count == 30)
        for item in items {
            for answer in item.answers {
                #expect(!AnswerNormalizer.normalize(answer).isEmpty, "\(item.id): \(answer)")
                // A model that quotes, capitalises and ends with a period still matches.
                let decorated = "«\(answer.uppercased())»."
                #expect(AnswerNormalizer.exactMatch(prediction: decorated, answers: item.answers), "\(item.id)")
            }
        }
    }

    @Test func mcAnswersInRange() throws {
        let items = try Self.lines("kk_mc.jsonl").map { try JSONDecoder().decode(MCItem.self, from: $0) }
        #expect(items.count == 36)
        for item in items {
            #expect(item.choices.count == 4 && item.choices.indices.contains(item.answer), "\(item.id)")
            // Gold wins acc when it has the highest log-likelihood.
            var lls = [Double](repeating: -10, count: item.choices.count)
            if item.choices.indices.contains(item.answer) { lls[item.answer] = -1 }
            #expect(MultipleChoiceScore.acc(logLikelihoods: lls, gold: item.answer))
        }
    }
}
