import Corpus

/// Reads every document with `make`, from the input delivered in `chunk`-byte pieces;
/// nil when the reader refused the input.
private func documents(_ bytes: [UInt8], chunk: Int, _ make: (ByteSource) -> any DocumentReader) -> [Document]? {
    try? make(ByteSource(bytes: bytes, chunkSize: chunk)).readAll()
}

/// Streaming readers must not depend on where the input's chunks happen to end: the
/// documents read 1–64 bytes at a time are the documents read in one piece.
/// Input: the first byte sets the small chunk size; the rest is the file.
private func checkChunking(_ bytes: [UInt8], _ make: (ByteSource) -> any DocumentReader) {
    guard let first = bytes.first else { return }
    let file = Array(bytes.dropFirst())
    let small = documents(file, chunk: Int(first % 64) + 1, make)
    let whole = documents(file, chunk: 1 << 20, make)
    precondition(small == whole, "the documents depend on where the input's chunks end")
}

/// MediaWiki markup to plain text.
enum WikiMarkupHarness {
    static let target = FuzzTarget(name: "wiki-markup", summary: "MediaWiki markup stripper (templates, links, tables, tags, entities)") {
        { bytes in
            let text = WikiMarkupStripper.strip(String(decoding: bytes, as: UTF8.self))
            blackHole(text.utf8.count)
        }
    }
}

/// A MediaWiki XML dump, page by page.
enum MediaWikiDumpHarness {
    static let target = FuzzTarget(name: "mediawiki-dump", summary: "MediaWiki XML dump reader, any chunking") {
        { bytes in checkChunking(bytes) { MediaWikiDumpReader($0) } }
    }
}

/// The corpus JSONL reader (lenient and strict).
enum CorpusJSONLHarness {
    static let target = FuzzTarget(name: "corpus-jsonl", summary: "corpus JSONL reader, lenient and strict, any chunking") {
        { bytes in
            checkChunking(bytes) { JSONLReader($0) }
            checkChunking(bytes) { JSONLReader($0, strict: true) }
        }
    }
}
