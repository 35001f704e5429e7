import Foundation
import Testing
@testable import Ledger

@Suite struct RecordLogTests {
    func tempPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-log-\(UUID().uuidString)").path
    }

    @Test func crcMatchesZlib() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
    }

    @Test func appendAndReopen() throws {
        let path = tempPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let log = try RecordLog.open(path: path).log
            for i in 0..<10 { try log.append(Array("record \(i)".utf8)) }
        }
        let opened = try RecordLog.open(path: path)
        #expect(opened.records.map { String(decoding: $0, as: UTF8.self) } == (0..<10).map { "record \($0)" })
        #expect(opened.truncatedBytes == 0)
    }

    @Test func everyTornTailIsCutToTheLastWholeRecord() throws {
        let path = tempPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let log = try RecordLog.open(path: path).log
            try log.append(Array("first".utf8))
            try log.append(Array("second".utf8))
        }
        let whole = try Data(contentsOf: URL(fileURLWithPath: path))
        let firstEnd = 8 + 5
        for cut in (firstEnd + 1)..<whole.count {
            try whole.prefix(cut).write(to: URL(fileURLWithPath: path))
            let opened = try RecordLog.open(path: path)
            #expect(opened.records.count == 1, "cut at \(cut)")
            #expect(opened.truncatedBytes == cut - firstEnd)
            // The log goes on appending after the cut.
            try opened.log.append(Array("third".utf8))
            let again = try RecordLog.open(path: path)
            #expect(again.records.map { String(decoding: $0, as: UTF8.self) } == ["first", "third"])
        }
    }

    @Test func damageInTheMiddleIsRefused() throws {
        let path = tempPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let log = try RecordLog.open(path: path).log
            for s in ["a", "b", "c"] { try log.append(Array(s.utf8)) }
        }
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[4] ^= 0xff  // the payload of record 0
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(throws: LedgerError.self) { try RecordLog.open(path: path) }
    }

    @Test func concurrentAppendsAllLand() async throws {
        let path = tempPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let log = try RecordLog.open(path: path).log
        await withTaskGroup(of: Void.self) { group in
            for t in 0..<8 {
                group.addTask { for i in 0..<25 { _ = try? log.append(Array("t\(t)-\(i)".utf8)) } }
            }
        }
        let records = try RecordLog.open(path: path).records.map { String(decoding: $0, as: UTF8.self) }
        #expect(records.count == 200)
        #expect(Set(records).count == 200)
    }
}

/// A verifier reads log files without changing them.
@Suite struct RecordLogReadOnlyTests {
    @Test func readReportsATornTailAndLeavesTheFileAlone() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-read-\(UUID().uuidString).log").path
        let opened = try RecordLog.open(path: path)
        try opened.log.append(Array("one".utf8))
        try opened.log.append(Array("two".utf8))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data([40, 0, 0, 0, 0x7b]))
        try handle.close()
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let parsed = try RecordLog.read(path: path)
        #expect(parsed.records.map { String(decoding: $0, as: UTF8.self) } == ["one", "two"])
        #expect(parsed.tornBytes == 5)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        // A missing file is an error, and is not created.
        let missing = path + ".missing"
        #expect(throws: LedgerError.self) { try RecordLog.read(path: missing) }
        #expect(!FileManager.default.fileExists(atPath: missing))
    }
}
