/// The input formats the corpus readers understand.
public enum InputFormat: String, Sendable, CaseIterable {
    case text, jsonl, mediawiki

    /// Parses a `--format` value.
    public init(name: String) throws {
        guard let f = InputFormat(rawValue: name.lowercased()) else { throw CorpusError.unknownFormat(name) }
        self = f
    }

    /// The format a file name implies: `.jsonl`/`.ndjson`, `.xml`, `.txt`/`.text`; nil otherwise.
    public static func fromExtension(_ path: String) -> InputFormat? {
        let lower = path.lowercased()
        if lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") { return .jsonl }
        if lower.hasSuffix(".xml") { return .mediawiki }
        if lower.hasSuffix(".txt") || lower.hasSuffix(".text") { return .text }
        return nil
    }

    /// Guesses from the first bytes: a MediaWiki export, JSON lines, or else plain text.
    public static func sniff(_ head: [UInt8]) -> InputFormat {
        var bytes = head[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        let trimmed = bytes.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        if trimmed.first == UInt8(ascii: "{") { return .jsonl }
        let text = String(decoding: trimmed.prefix(512), as: UTF8.self)
        if text.hasPrefix("<mediawiki") || (text.hasPrefix("<?xml") && text.contains("<mediawiki")) { return .mediawiki }
        return .text
    }

    /// The decompression tool for compressed bytes (bzip2, gzip, xz, zstd), nil for uncompressed ones.
    public static func compressionTool(_ head: [UInt8]) -> String? {
        if head.starts(with: [0x42, 0x5A, 0x68]) { return "bzcat" }         // "BZh"
        if head.starts(with: [0x1F, 0x8B]) { return "zcat" }
        if head.starts(with: [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) { return "xzcat" }
        if head.starts(with: [0x28, 0xB5, 0x2F, 0xFD]) { return "zstdcat" }
        return nil
    }

    /// Opens a reader for `path` (`-` is stdin) in the given format, or the one its name or first bytes imply.
    /// - Throws: ``CorpusError`` for a missing, unreadable or compressed input.
    public static func openReader(path: String, format: InputFormat?, field: String = "text", strict: Bool = false,
                                  textUnit: PlainTextReader.Unit = .paragraph,
                                  onWarning: @escaping (ReaderWarning) -> Void = { _ in }) throws -> any DocumentReader {
        let source = try ByteSource(path: path)
        let head = try source.peek(4096)
        if let tool = compressionTool(head) { throw CorpusError.compressed(path: path, tool: tool) }
        switch format ?? fromExtension(path) ?? sniff(head) {
        case .text: return PlainTextReader(source, unit: textUnit)
        case .jsonl: return JSONLReader(source, field: field, strict: strict, onWarning: onWarning)
        case .mediawiki: return MediaWikiDumpReader(source)
        }
    }
}
