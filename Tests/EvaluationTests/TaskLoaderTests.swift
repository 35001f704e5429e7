import Foundation
import Testing
@testable import Evaluation

@Suite struct TaskLoaderTests {
    func write(_ name: String, _ text: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-tasks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    let mc = """
    {"id":"a","question":"2+2?","choices":["3","4"],"answer":1}
    {"id":"b","question":"no choices"}
    {"id":"c","question":"1+1?","choices":["2","5"],"answer":0}
    not json
    """

    @Test func multipleChoiceSkipsBadLinesWithFileAndLine() throws {
        let path = try write("mc.jsonl", mc)
        var loader = TaskLoader()
        let tasks = try loader.load(path: path)
        #expect(tasks.count == 1)
        #expect(tasks[0].count == 2)
        #expect(tasks[0].template == .kazakhCloze)
        #expect(loader.warnings == ["\(path):2: 'choices' must be an array of at least two strings (skipped)",
                                    "\(path):4: not a JSON object (skipped)"])
    }

    @Test func strictStopsAtTheFirstBadLine() throws {
        let path = try write("mc.jsonl", mc)
        var loader = TaskLoader(strict: true)
        #expect(throws: EvaluationError.badItem(file: path, line: 2, reason: "'choices' must be an array of at least two strings")) {
            _ = try loader.load(path: path)
        }
    }

    @Test func emptyAndUnknownFilesAreErrors() throws {
        var loader = TaskLoader()
        let empty = try write("e.jsonl", "\n\n")
        #expect(throws: EvaluationError.emptyTask(empty)) { _ = try loader.load(path: empty) }
        let odd = try write("o.jsonl", #"{"foo": 1}"#)
        #expect(throws: EvaluationError.self) { _ = try loader.load(path: odd) }
        #expect(throws: EvaluationError.unreadable(path: "/nonexistent/x.jsonl", reason: "no such file or directory")) {
            _ = try loader.load(path: "/nonexistent/x.jsonl")
        }
        let badAnswer = try write("b.jsonl", #"{"question":"q","choices":["a","b"],"answer":5}"#)
        var strict = TaskLoader(strict: true)
        #expect(throws: EvaluationError.badItem(file: badAnswer, line: 1, reason: "'answer' 5 is outside 0..<2")) {
            _ = try strict.load(path: badAnswer)
        }
    }

    @Test func generativeAndPerplexityLayouts() throws {
        var loader = TaskLoader()
        let gen = try write("g.jsonl", #"{"id":"1","question":"Астана?","answers":["Астана","Нұр-Сұлтан"],"metric":"chrf"}"#)
        let g = try loader.load(path: gen)[0]
        guard case let .generative(items, primary) = g.items else { Issue.record("not generative"); return }
        #expect(items[0].answers == ["Астана", "Нұр-Сұлтан"])
        #expect(primary == .chrF)
        let ppl = try write("p.jsonl", #"{"id":"1","text":"Сәлем, әлем."}"#)
        #expect(try loader.load(path: ppl)[0].kind == "perplexity")
    }

    /// Belebele's public rows, unchanged.
    @Test func belebeleRows() throws {
        let row = #"{"link":"https://example.org/x","question_number":1,"flores_passage":"Мәтін.","question":"Не?","mc_answer1":"а","mc_answer2":"ә","mc_answer3":"б","mc_answer4":"в","correct_answer_num":"3","dialect":"kaz_Cyrl","ds":"2023-05-03"}"#
        var loader = TaskLoader()
        let task = try loader.load(path: try write("kaz_Cyrl.jsonl", row))[0]
        #expect(task.template == .belebele)
        guard case let .multipleChoice(items) = task.items else { Issue.record("not multiple choice"); return }
        #expect(items[0].answer == 2)
        #expect(items[0].passage == "Мәтін.")
        #expect(items[0].choices == ["а", "ә", "б", "в"])
    }

    /// KazMMLU's CSV: quoted commas, an empty fifth option, the answer as a letter.
    @Test func kazMMLUCSV() throws {
        let csv = """
        Question,Option A,Option B,Option C,Option D,Option E,Answer Key,Subject
        "Абай, ақын, қай жылы туған?",1845,1850,1900,1800,,A,Әдебиет
        Қазақстан астанасы?,Алматы,Астана,Шымкент,Тараз,Атырау,B,География
        Бос жауап?,а,ә,,,,C,x
        """
        var loader = TaskLoader()
        let path = try write("Kazakh Literature.csv", csv)
        let task = try loader.load(path: path)[0]
        #expect(task.name == "Kazakh Literature")
        #expect(task.template == .letters)
        guard case let .multipleChoice(items) = task.items else { Issue.record("not multiple choice"); return }
        #expect(items.count == 2)
        #expect(items[0].question == "Абай, ақын, қай жылы туған?")
        #expect(items[0].choices == ["1845", "1850", "1900", "1800"])
        #expect(items[1].answer == 1 && items[1].choices.count == 5)
        #expect(loader.warnings.count == 1)
        #expect(loader.warnings[0].hasPrefix("\(path):4:"))
    }

    /// The committed smoke suite loads as four tasks with the documented sizes.
    @Test func smokeSuiteLoads() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var loader = TaskLoader(strict: true)
        let tasks = try loader.load(path: root.appendingPathComponent("data/eval/smoke").path)
        #expect(tasks.map(\.name) == ["kk_mc", "kk_ppl", "kk_qa_gen", "kk_translate_gen"])
        #expect(tasks.map(\.count) == [36, 24, 30, 30])
        #expect(tasks.map(\.kind) == ["multiple_choice", "perplexity", "generative", "generative"])
    }
}
