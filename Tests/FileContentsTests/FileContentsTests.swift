import FileContents
import Foundation
import Testing

@Suite struct FileContentsTests {
    @Test func readsEmptyAndNonEmptyFilesAndRefusesMissingOnes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-filecontents-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let empty = dir.appendingPathComponent("empty").path, full = dir.appendingPathComponent("full").path
        #expect(FileManager.default.createFile(atPath: empty, contents: Data()))
        #expect(FileManager.default.createFile(atPath: full, contents: Data("Сәлем".utf8)))
        #expect(try FileContents.read(empty) == Data())
        #expect(try FileContents.read(full) == Data("Сәлем".utf8))
        #expect(throws: (any Error).self) { try FileContents.read(dir.appendingPathComponent("missing").path) }
        #expect(FileContents.readIfPresent(dir.appendingPathComponent("missing").path) == nil)
        // /proc files report size 0 but have contents: read to the end, not by size.
        #expect((FileContents.readIfPresent("/proc/self/status")?.count ?? 0) > 0)
    }
}
