import Foundation
import Testing
@testable import Corpus

@Suite struct ReaderTests {
    @Test(arguments: [1, 4, 1 << 20])
    func plainTextParagraphs(chunkSize: Int) throws {
        let text = "Бірінші абзац,\nекінші жол.\n\n\n  \nЕкінші абзац.\r\nСоңы"
        let docs = try PlainTextReader(ByteSource(string: text, name: "a.txt", chunkSize: chunkSize)).readAll()
        #expect(docs == [Document(id: "a.txt:1", text: "Бірінші абзац,\nекінші жол."),
                         Document(id: "a.txt:6", text: "Екінші абзац.\nСоңы")])
    }

    @Test func plainTextLines() throws {
        let docs = try PlainTextReader(ByteSource(string: "a\n\nb\n", name: "x"), unit: .line).readAll()
        #expect(docs == [Document(id: "x:1", text: "a"), Document(id: "x:3", text: "b")])
    }

    @Test func jsonlSkipsBadLinesWithLocations() throws {
        let lines = [
            #"{"id": "d1", "text": "Сәлем"}"#,
            #"{"text": 5}"#,
            "not json",
            "",
            #"{"id": 7, "body": "x", "text": "Екі"}"#,
            #"[1, 2]"#,
            #"{"title": "no text"}"#,
            #"{"text": "Үш"}"#,
        ].joined(separator: "\n")
        var warnings: [String] = []
        let reader = JSONLReader(ByteSource(string: lines, name: "in.jsonl", chunkSize: 3)) { warnings.append($0.description) }
        let docs = try reader.readAll()
        #expect(docs == [Document(id: "d1", text: "Сәлем"), Document(id: "7", text: "Екі"), Document(id: "in.jsonl:8", text: "Үш")])
        #expect(reader.warningCount == 4)
        #expect(warnings == ["in.jsonl:2: \"text\" is not a string", "in.jsonl:3: invalid JSON",
                             "in.jsonl:6: not a JSON object", "in.jsonl:7: no \"text\" field"])
    }

    @Test func jsonlOtherFieldAndStrict() throws {
        let lines = "{\"body\": \"a\"}\n{\"text\": \"b\"}\n"
        let docs = try JSONLReader(ByteSource(string: lines), field: "body").readAll()
        #expect(docs.map(\.text) == ["a"])
        let strict = JSONLReader(ByteSource(string: lines, name: "s.jsonl"), field: "body", strict: true)
        #expect(throws: CorpusError.badRecord(ReaderWarning(file: "s.jsonl", line: 2, reason: "no \"body\" field"))) {
            try strict.readAll()
        }
    }

    @Test func missingFileAndDirectory() {
        #expect(throws: CorpusError.fileNotFound("/nonexistent/x.txt")) { try ByteSource(path: "/nonexistent/x.txt") }
        #expect(throws: CorpusError.notAFile("/tmp")) { try ByteSource(path: "/tmp") }
    }

    @Test func formatDetection() throws {
        #expect(InputFormat.fromExtension("a.JSONL") == .jsonl)
        #expect(InputFormat.fromExtension("kkwiki-latest-pages-articles.xml") == .mediawiki)
        #expect(InputFormat.fromExtension("x.txt") == .text)
        #expect(InputFormat.fromExtension("x.dat") == nil)
        #expect(InputFormat.sniff(Array("\u{FEFF}  {\"text\": 1}".utf8)) == .jsonl)
        #expect(InputFormat.sniff(Array("<mediawiki xmlns=...>".utf8)) == .mediawiki)
        #expect(InputFormat.sniff(Array("<?xml version=\"1.0\"?>\n<mediawiki>".utf8)) == .mediawiki)
        #expect(InputFormat.sniff(Array("Сәлем".utf8)) == .text)
        #expect(InputFormat.compressionTool(Array("BZh91AY".utf8)) == "bzcat")
        #expect(throws: CorpusError.unknownFormat("csv")) { try InputFormat(name: "csv") }
    }

    @Test func compressedInputGetsAClearError() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("corpus-test-\(UInt32.random(in: 0...UInt32.max)).xml.bz2").path
        try Data("BZh91AY&SY".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: CorpusError.compressed(path: path, tool: "bzcat")) { try InputFormat.openReader(path: path, format: nil) }
        let message = CorpusError.compressed(path: "d.xml.bz2", tool: "bzcat").description
        #expect(message.contains("bzcat d.xml.bz2 | aqyl corpus clean -"))
    }
}
