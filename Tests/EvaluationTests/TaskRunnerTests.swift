import Foundation
import Testing
@testable import Evaluation

@Suite struct TaskRunnerTests {
    /// With every token at −1, a choice's log-likelihood is −(1 + its length):
    /// `acc` picks the shortest choice, `acc_norm` (÷ length) the longest.
    @Test func accAndAccNormByHand() async throws {
        let items = [
            MultipleChoiceItem(id: "1", question: "q1", choices: ["аа", "бббб"], answer: 1),   // acc 0, acc_norm 1
            MultipleChoiceItem(id: "2", question: "q2", choices: ["в", "гггггг"], answer: 0),  // acc 1, acc_norm 0
            MultipleChoiceItem(id: "3", question: "q3", choices: ["дд", "е", "жжж"], answer: 2), // acc 0, acc_norm 1
            MultipleChoiceItem(id: "4", question: "q4", choices: ["з", "ии"], answer: 0),      // acc 1, acc_norm 0
        ]
        let task = EvalTask(name: "toy", items: .multipleChoice(items), template: .kazakhCloze, source: "test")
        let result = try await TaskRunner(backend: FakeBackend()).run(task)
        let acc = try #require(result.metrics.first { $0.name == "acc" })
        let norm = try #require(result.metrics.first { $0.name == "acc_norm" })
        #expect(acc.value == 0.5)
        #expect(norm.value == 0.5)
        #expect(abs(acc.standardError - (0.25 / 3).squareRoot()) < 1e-12)  // sqrt(p(1−p)/(n−1))
        #expect(result.samples[0].scores == [-3, -5])
        #expect(result.evalProtocol.template == "kk-cloze-v1")
        #expect(result.evalProtocol.items == 4)
        #expect(result.evalProtocol.itemsDigest.count == 16)
    }

    @Test func generativeExactMatchAndChrF() async throws {
        let items = [
            GenerativeItem(id: "1", question: "Қазақстанның астанасы?", answers: ["Астана"]),
            GenerativeItem(id: "2", question: "Ең үлкен қала?", answers: ["Алматы", "Алматы қаласы"]),
            GenerativeItem(id: "3", question: "Көл?", answers: ["Балқаш"]),
        ]
        let fake = FakeBackend(answers: ["Қазақстанның астанасы?": "«Астана».", "Ең үлкен қала?": "алматы қаласы"])
        let task = EvalTask(name: "qa", items: .generative(items, primary: .chrF), template: .kazakhQA, source: "test")
        let result = try await TaskRunner(backend: fake).run(task)
        #expect(result.metrics.first?.name == "chrf")  // the task's primary metric first
        let em = try #require(result.metrics.first { $0.name == "exact_match" })
        #expect(abs(em.value - 2.0 / 3) < 1e-12)
        let chrf = try #require(result.metrics.first { $0.name == "chrf" })
        let expected = ChrF.chrF.corpusScore(hypotheses: ["«Астана».", "алматы қаласы", "білмеймін"], references: items.map(\.answers))
        #expect(abs(chrf.value - expected) < 1e-9)
        #expect(chrf.standardErrorMethod == "bootstrap-1000")
        #expect(chrf.standardError > 0)
        #expect(result.samples.map(\.prediction) == ["«Астана».", "алматы қаласы", "білмеймін"])
    }

    @Test func perplexityTaskBitsPerByte() async throws {
        let items = [PerplexityItem(id: "a", text: "абв"), PerplexityItem(id: "b", text: "de f")]
        let task = EvalTask(name: "ppl", items: .perplexity(items), template: .raw, source: "test")
        let result = try await TaskRunner(backend: FakeBackend()).run(task)
        let bpb = try #require(result.metrics.first { $0.name == "bits_per_byte" })
        // 7 tokens at 1 nat over 6 + 4 bytes.
        #expect(abs(bpb.value - 7 / log(2) / 10) < 1e-12)
        let tpw = try #require(result.metrics.first { $0.name == "tokens_per_word" })
        #expect(abs(tpw.value - 7.0 / 3) < 1e-12)
    }

    @Test func fewShotPromptsUseOtherItems() {
        let items = (0..<4).map { MultipleChoiceItem(id: "\($0)", question: "q\($0)", choices: ["а", "б"], answer: $0 % 2) }
        let shots = FewShotSampler.shots(for: 1, in: items, count: 2)
        #expect(shots.map(\.id) == ["0", "2"])
        let prompt = PromptTemplate.kazakhCloze.fewShotContext(items[1], shots: shots)
        #expect(prompt == "Сұрақ: q0\nЖауап: а\n\nСұрақ: q2\nЖауап: а\n\nСұрақ: q1\nЖауап:")
    }

    @Test func templatesRenderLmEvalLayouts() {
        let item = MultipleChoiceItem(id: "x", passage: "Мәтін.", question: "Не?", choices: ["бір", "екі", "үш", "төрт"], answer: 1)
        #expect(PromptTemplate.belebele.context(item) == "P: Мәтін.\nQ: Не?\nA: бір\nB: екі\nC: үш\nD: төрт\nAnswer:")
        #expect(PromptTemplate.belebele.choiceStrings(item) == ["A", "B", "C", "D"])
        let plain = MultipleChoiceItem(id: "y", question: "Не?", choices: ["бір", "екі"], answer: 0)
        #expect(PromptTemplate.letters.context(plain) == "Не?\nA. бір\nB. екі\nAnswer:")
        #expect(PromptTemplate.kazakhCloze.context(item) == "Мәтін.\n\nСұрақ: Не?\nЖауап:")
    }
}
