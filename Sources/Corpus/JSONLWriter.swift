import Foundation

/// Writes kept documents as JSON lines (`{"id","lang","lang_score","text"}`, keys sorted), or any
/// encodable records, buffered.
public final class JSONLWriter {
    private let handle: FileHandle
    private let closeAtEnd: Bool
    private var buffer = Data()
    private let encoder: JSONEncoder
    public private(set) var count = 0

    /// Creates or truncates `path`; `-` writes to stdout.
    public init(path: String) throws {
        if path == "-" {
            handle = FileHandle.standardOutput
            closeAtEnd = false
        } else {
            guard FileManager.default.createFile(atPath: path, contents: nil),
                  let h = FileHandle(forWritingAtPath: path) else { throw CorpusError.unwritable(path, "cannot create the file") }
            handle = h
            closeAtEnd = true
        }
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    }

    public func write(_ document: CleanedDocument) throws {
        try write(record: document.record)
    }

    /// Writes any encodable value as one line.
    public func write(record: some Encodable) throws {
        buffer.append(try encoder.encode(record))
        buffer.append(0x0A)
        count += 1
        if buffer.count >= 1 << 20 { try flush() }
    }

    public func flush() throws {
        guard !buffer.isEmpty else { return }
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes and closes the file.
    public func close() throws {
        try flush()
        if closeAtEnd { try handle.close() }
    }
}
