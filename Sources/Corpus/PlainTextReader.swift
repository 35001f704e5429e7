/// Plain UTF-8 text: a document per paragraph (blank-line separated) or per line.
/// Ids are `file:line` of the document's first line.
public final class PlainTextReader: DocumentReader {
    public enum Unit: Sendable { case paragraph, line }

    private let lines: LineReader
    private let name: String
    private let unit: Unit
    public private(set) var warningCount = 0

    public init(_ source: ByteSource, unit: Unit = .paragraph) {
        lines = LineReader(source)
        name = source.name
        self.unit = unit
    }

    public func next() throws -> Document? {
        var paragraph: [String] = []
        var firstLine = 0
        while let line = try lines.next() {
            let blank = line.allSatisfy(\.isWhitespace)
            switch unit {
            case .line:
                if !blank { return Document(id: "\(name):\(lines.lineNumber)", text: line) }
            case .paragraph:
                if blank {
                    if !paragraph.isEmpty { return Document(id: "\(name):\(firstLine)", text: paragraph.joined(separator: "\n")) }
                } else {
                    if paragraph.isEmpty { firstLine = lines.lineNumber }
                    paragraph.append(line)
                }
            }
        }
        return paragraph.isEmpty ? nil : Document(id: "\(name):\(firstLine)", text: paragraph.joined(separator: "\n"))
    }
}
