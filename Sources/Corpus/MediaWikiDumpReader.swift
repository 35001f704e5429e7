/// A MediaWiki XML export (`pages-articles.xml`), streamed page by page: the input is read in
/// chunks and only the current page is held in memory. Pages outside the wanted namespaces
/// (default: articles, ns 0) and redirects are skipped; the text of the last revision is decoded
/// from XML and stripped of wiki markup by ``WikiMarkupStripper``. A document's id is the page title.
///
/// A hand-written scanner rather than an XML parser: in an export every `<` inside text is escaped,
/// so a literal `<page>`, `<ns>`, `<redirect` or `<text` is always markup.
public final class MediaWikiDumpReader: DocumentReader {
    private let source: ByteSource
    private var buffer: [UInt8] = []
    private var start = 0
    private var finished = false
    /// Namespaces kept (0 = articles).
    public let namespaces: Set<Int>
    public private(set) var warningCount = 0
    /// Pages seen, and how many of them were skipped as redirects or for their namespace.
    public private(set) var pageCount = 0
    public private(set) var skippedRedirects = 0
    public private(set) var skippedNamespaces = 0

    public init(_ source: ByteSource, namespaces: Set<Int> = [0]) {
        self.source = source
        self.namespaces = namespaces
    }

    private static let pageOpen = Array("<page>".utf8), pageClose = Array("</page>".utf8)

    public func next() throws -> Document? {
        while let page = try nextPage() {
            pageCount += 1
            guard let title = Self.element("title", in: page) else {
                warningCount += 1
                continue
            }
            let ns = Self.element("ns", in: page).flatMap { Int(String(decoding: $0, as: UTF8.self).trimmingSpaces) } ?? 0
            if !namespaces.contains(ns) {
                skippedNamespaces += 1
                continue
            }
            if ByteSearch.find(Array("<redirect".utf8), in: page, from: 0) != nil {
                skippedRedirects += 1
                continue
            }
            let wikitext = XMLEntities.decode(Self.lastText(in: page))
            let text = WikiMarkupStripper.strip(String(decoding: wikitext, as: UTF8.self))
            let name = String(decoding: XMLEntities.decode(title), as: UTF8.self).trimmingSpaces
            return Document(id: name, text: text)
        }
        return nil
    }

    /// The bytes of the next `<page>...</page>`, reading more chunks as needed.
    private func nextPage() throws -> [UInt8]? {
        let open = Self.pageOpen, close = Self.pageClose
        var searchFrom = start
        while true {
            if let o = ByteSearch.find(open, in: buffer, from: searchFrom) {
                var closeFrom = o + open.count
                while true {
                    if let c = ByteSearch.find(close, in: buffer, from: closeFrom) {
                        let page = Array(buffer[(o + open.count)..<c])
                        start = c + close.count
                        if start >= 1 << 20 {
                            buffer.removeFirst(start)
                            start = 0
                        }
                        return page
                    }
                    if finished { throw CorpusError.malformedDump("\(source.name): a <page> is not closed") }
                    closeFrom = max(o + open.count, buffer.count - close.count + 1)
                    try fill()
                }
            }
            if finished { return nil }
            // No page start in the buffer: keep only a tail that might begin one.
            let keep = max(start, buffer.count - open.count + 1)
            buffer.removeFirst(keep)
            start = 0
            searchFrom = 0
            try fill()
        }
    }

    private func fill() throws {
        if let chunk = try source.read() { buffer += chunk } else { finished = true }
    }

    /// The content of the first `<name>...</name>` in a page.
    static func element(_ name: String, in page: [UInt8]) -> [UInt8]? {
        let open = Array("<\(name)>".utf8), close = Array("</\(name)>".utf8)
        guard let o = ByteSearch.find(open, in: page, from: 0),
              let c = ByteSearch.find(close, in: page, from: o + open.count) else { return nil }
        return Array(page[(o + open.count)..<c])
    }

    /// The content of the last `<text ...>...</text>` (the latest revision); empty for `<text ... />`.
    static func lastText(in page: [UInt8]) -> [UInt8] {
        let open = Array("<text".utf8), close = Array("</text>".utf8)
        var found: Int?
        var from = 0
        while let o = ByteSearch.find(open, in: page, from: from) {
            let after = o + open.count
            if after < page.count, [UInt8(ascii: ">"), UInt8(ascii: "/"), 0x20, 0x09, 0x0A].contains(page[after]) { found = o }
            from = after
        }
        guard let o = found, let gt = page[o...].firstIndex(of: UInt8(ascii: ">")) else { return [] }
        if page[gt - 1] == UInt8(ascii: "/") { return [] }
        guard let c = ByteSearch.find(close, in: page, from: gt + 1) else { return Array(page[(gt + 1)...]) }
        return Array(page[(gt + 1)..<c])
    }
}
