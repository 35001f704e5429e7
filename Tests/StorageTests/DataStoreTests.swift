import Foundation
import GRDB
import Testing
@testable import Storage

@Suite struct DataStoreTests {
    @Test func opensCreatesAndReopens() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-store-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        do {
            let store = try DataStore(directory: dir)
            try store.database.write { db in try db.execute(sql: "INSERT INTO meta(key, value) VALUES ('a', 'b')") }
        }
        let again = try DataStore(directory: dir)
        let value = try again.database.read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'a'") }
        #expect(value == "b")
    }

    @Test func unwritableDirectoryIsATypedError() {
        #expect(throws: StorageError.self) { try DataStore(directory: URL(fileURLWithPath: "/proc/aqyl-cannot-exist")) }
    }
}
