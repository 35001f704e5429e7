import Foundation

/// JSON lines: one object per line, the text in `field` (default `text`), the id in `id` if present
/// (a string or a number), else `file:line`. Bad lines are skipped and reported as `file:line: reason`,
/// or stop the reading with ``CorpusError/badRecord(_:)`` when `strict`.
public final class JSONLReader: DocumentReader {
    private let lines: LineReader
    private let name: String
    private let field: String
    private let strict: Bool
    private let onWarning: (ReaderWarning) -> Void
    public private(set) var warningCount = 0

    public init(_ source: ByteSource, field: String = "text", strict: Bool = false,
                onWarning: @escaping (ReaderWarning) -> Void = { _ in }) {
        lines = LineReader(source)
        name = source.name
        self.field = field
        self.strict = strict
        self.onWarning = onWarning
    }

    public func next() throws -> Document? {
        while let bytes = try lines.nextBytes() {
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            switch parse(bytes) {
            case .success(let doc): return doc
            case .failure(let reason):
                let warning = ReaderWarning(file: name, line: lines.lineNumber, reason: reason.message)
                if strict { throw CorpusError.badRecord(warning) }
                warningCount += 1
                onWarning(warning)
            }
        }
        return nil
    }

    private struct Failure: Error { let message: String }

    private func parse(_ bytes: ArraySlice<UInt8>) -> Result<Document, Failure> {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        } catch {
            return .failure(Failure(message: "invalid JSON"))
        }
        guard let dict = object as? [String: Any] else { return .failure(Failure(message: "not a JSON object")) }
        guard let value = dict[field] else { return .failure(Failure(message: "no \"\(field)\" field")) }
        guard let text = value as? String else { return .failure(Failure(message: "\"\(field)\" is not a string")) }
        let id: String
        if let s = dict["id"] as? String {
            id = s
        } else if let n = dict["id"] as? NSNumber, !(dict["id"] is Bool) {
            id = n.stringValue
        } else {
            id = "\(name):\(lines.lineNumber)"
        }
        return .success(Document(id: id, text: text))
    }
}
