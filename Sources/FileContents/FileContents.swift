import Foundation

/// Whole-file reads that do not leak.
///
/// Foundation's whole-file readers (`Data(contentsOf:)`, also with `.mappedIfSafe`,
/// `FileManager.contents(atPath:)` and `String(contentsOfFile:)`) leak a 4 KiB buffer on
/// every *empty* file in the toolchain we build with (swift-foundation of Swift 6.3.1;
/// found by the peft-adapter fuzz target, docs/reliability.md). An empty file is a normal
/// input here (a fresh log, a truncated upload), so every parser of files reads through
/// a `FileHandle`, which does not.
public enum FileContents {
    /// The bytes of the file at `path`.
    /// - Throws: Foundation's error for a missing or unreadable file (`CocoaError`).
    public static func read(_ path: String) throws -> Data {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        return try handle.readToEnd() ?? Data()
    }

    /// The bytes of the file at `path`, or nil when it cannot be read.
    public static func readIfPresent(_ path: String) -> Data? {
        try? read(path)
    }
}
