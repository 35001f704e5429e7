// Kazakh text tools. See docs/corpus.md.

/// One document as a reader yields it: where it came from and its raw text.
public struct Document: Sendable, Equatable {
    /// A stable name: the JSONL `id` field, a wiki page title, or `file:line`.
    public var id: String
    public var text: String

    public init(id: String, text: String) {
        self.id = id
        self.text = text
    }
}

/// A source of documents, read one at a time so that big inputs stream.
public protocol DocumentReader: AnyObject {
    /// The next document, or nil at the end of the input.
    func next() throws -> Document?
    /// Records that were skipped (bad JSON lines, missing fields), each reported once.
    var warningCount: Int { get }
}

extension DocumentReader {
    /// Reads everything (for tests and small inputs).
    public func readAll() throws -> [Document] {
        var docs: [Document] = []
        while let d = try next() { docs.append(d) }
        return docs
    }
}

/// A skipped input record: `file:line: reason`.
public struct ReaderWarning: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var reason: String
    public init(file: String, line: Int, reason: String) {
        self.file = file
        self.line = line
        self.reason = reason
    }
    public var description: String { "\(file):\(line): \(reason)" }
}
