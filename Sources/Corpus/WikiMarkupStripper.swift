/// Turns wikitext into plain paragraphs. See docs/corpus.md "Readers" for what is removed.
///
/// Order: comments; `<ref>`-like blocks (`ref`, `references`, `gallery`, `math`, ...); templates
/// `{{...}}` (nested); tables `{| ... |}` (nested); internal links (`[[File:...]]`, `[[Санат:...]]` and
/// interwiki links removed, `[[target|label]]` → label, `[[target]]` → target); external links
/// `[url label]` → label; bare URLs; other HTML tags (content kept); `''`/`'''` quotes; then per line:
/// headings `== X ==` kept as a paragraph of their own (dropped when their section ends up empty),
/// list markers `* # : ;` and magic words `__TOC__` removed, lines without a letter or digit dropped,
/// HTML entities decoded, spaces collapsed. Paragraphs are separated by a blank line.
public enum WikiMarkupStripper {
    /// Tags removed together with their content.
    static let droppedBlocks = ["ref", "references", "gallery", "math", "chem", "score", "timeline", "imagemap",
                                "templatestyles", "syntaxhighlight", "source", "graph", "mapframe", "maplink"]
    /// Link namespaces whose links are removed (compared lowercased).
    static let droppedNamespaces: Set<String> = ["file", "image", "media", "файл", "сурет", "медиа",
                                                 "category", "санат", "категория"]

    public static func strip(_ wikitext: String) -> String {
        var s = Array(wikitext.utf8)
        s = removeComments(s)
        s = removeBlocks(s)
        s = removeBalanced(s, open: Array("{{".utf8), close: Array("}}".utf8), lineStart: false)
        s = removeBalanced(s, open: Array("{|".utf8), close: Array("|}".utf8), lineStart: true)
        s = replaceLinks(s)
        s = inlineCleanup(s)
        return paragraphs(s)
    }

    // MARK: passes

    static func removeComments(_ s: [UInt8]) -> [UInt8] {
        let open = Array("<!--".utf8), close = Array("-->".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        var i = 0
        while i < s.count {
            if s[i] == UInt8(ascii: "<"), ByteSearch.matches(open, in: s, at: i) {
                i = ByteSearch.find(close, in: s, from: i + 4).map { $0 + 3 } ?? s.count
                continue
            }
            out.append(s[i])
            i += 1
        }
        return out
    }

    /// Removes `<name ...>...</name>` and `<name .../>` for the ``droppedBlocks``.
    static func removeBlocks(_ s: [UInt8]) -> [UInt8] {
        let names = droppedBlocks.map { Array($0.utf8) }
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        var i = 0
        scan: while i < s.count {
            if s[i] == UInt8(ascii: "<") {
                for name in names where ByteSearch.matches(name, in: s, at: i + 1, ignoreCase: true) {
                    let after = i + 1 + name.count
                    guard after < s.count, [UInt8(ascii: ">"), UInt8(ascii: "/"), 0x20, 0x09, 0x0A].contains(s[after]),
                          let gt = s[after...].firstIndex(of: UInt8(ascii: ">")) else { continue }
                    if s[gt - 1] == UInt8(ascii: "/") {
                        i = gt + 1
                        continue scan
                    }
                    if let close = findClosingTag(name, in: s, from: gt + 1),
                       let end = s[close...].firstIndex(of: UInt8(ascii: ">")) {
                        i = end + 1
                    } else {
                        i = gt + 1  // an unclosed block: drop only its opening tag
                    }
                    continue scan
                }
            }
            out.append(s[i])
            i += 1
        }
        return out
    }

    private static func findClosingTag(_ name: [UInt8], in s: [UInt8], from: Int) -> Int? {
        var j = from
        while let lt = ByteSearch.find(Array("</".utf8), in: s, from: j) {
            if ByteSearch.matches(name, in: s, at: lt + 2, ignoreCase: true) { return lt }
            j = lt + 2
        }
        return nil
    }

    /// Removes balanced, possibly nested `open ... close` spans; an unbalanced opener is kept as text.
    static func removeBalanced(_ s: [UInt8], open: [UInt8], close: [UInt8], lineStart: Bool) -> [UInt8] {
        guard ByteSearch.find(open, in: s, from: 0) != nil else { return s }
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        var i = 0
        while i < s.count {
            if s[i] == open[0], ByteSearch.matches(open, in: s, at: i), !lineStart || atLineStart(s, i),
               let end = matchEnd(s, from: i, open: open, close: close) {
                i = end
                continue
            }
            out.append(s[i])
            i += 1
        }
        return out
    }

    private static func atLineStart(_ s: [UInt8], _ i: Int) -> Bool {
        var j = i - 1
        while j >= 0, s[j] == 0x20 || s[j] == 0x09 { j -= 1 }
        return j < 0 || s[j] == 0x0A
    }

    /// The index just past the `close` that balances the `open` at `from`.
    static func matchEnd(_ s: [UInt8], from: Int, open: [UInt8], close: [UInt8]) -> Int? {
        var depth = 0
        var j = from
        while j < s.count {
            if ByteSearch.matches(open, in: s, at: j) {
                depth += 1
                j += open.count
            } else if ByteSearch.matches(close, in: s, at: j) {
                depth -= 1
                j += close.count
                if depth == 0 { return j }
            } else {
                j += 1
            }
        }
        return nil
    }

    /// `[[target|label]]` → label, `[[target]]` → target; file, category and interwiki links removed.
    static func replaceLinks(_ s: [UInt8]) -> [UInt8] {
        let open = Array("[[".utf8), close = Array("]]".utf8)
        guard ByteSearch.find(open, in: s, from: 0) != nil else { return s }
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        var i = 0
        while i < s.count {
            if s[i] == UInt8(ascii: "["), ByteSearch.matches(open, in: s, at: i),
               let end = matchEnd(s, from: i, open: open, close: close) {
                out += linkText(Array(s[(i + 2)..<(end - 2)]))
                i = end
                continue
            }
            out.append(s[i])
            i += 1
        }
        return out
    }

    private static func linkText(_ inner: [UInt8]) -> [UInt8] {
        let pipe = inner.firstIndex(of: UInt8(ascii: "|"))
        var target = Array(inner[..<(pipe ?? inner.count)])
        var visibleNamespaceLink = false
        if target.first == UInt8(ascii: ":") {
            target.removeFirst()
            visibleNamespaceLink = true
        }
        if !visibleNamespaceLink, let colon = target.firstIndex(of: UInt8(ascii: ":")) {
            let prefix = String(decoding: target[..<colon], as: UTF8.self).trimmingSpaces
            if droppedNamespaces.contains(prefix.lowercased()) { return [] }
            if isInterwikiPrefix(prefix) { return [] }
        }
        guard let pipe else { return target }
        let label = Array(inner[(pipe + 1)...])
        if label.allSatisfy(ByteSearch.isSpace) {
            // The pipe trick: [[Алматы (қала)|]] shows "Алматы".
            let t = String(decoding: target, as: UTF8.self)
            let shown = t.firstIndex(of: "(").map { String(t[..<$0]) } ?? t
            return Array(shown.trimmingSpaces.utf8)
        }
        return replaceLinks(label)
    }

    /// `en`, `ru`, `zh-min-nan`: a lowercase ASCII language prefix of an interlanguage link.
    private static func isInterwikiPrefix(_ p: String) -> Bool {
        (2...12).contains(p.utf8.count) && p.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || $0 == UInt8(ascii: "-") }
    }

    private static let schemes = ["http://", "https://", "ftp://", "mailto:", "//"].map { Array($0.utf8) }

    private static func schemeLength(_ s: [UInt8], at i: Int, bracketed: Bool) -> Bool {
        for scheme in schemes where bracketed || scheme[0] != UInt8(ascii: "/") {
            if ByteSearch.matches(scheme, in: s, at: i, ignoreCase: true) { return true }
        }
        return false
    }

    /// External links, bare URLs, remaining HTML tags and bold/italic quotes.
    static func inlineCleanup(_ s: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        var i = 0
        let stops: Set<UInt8> = Set("<>[]{}|\"".utf8)
        while i < s.count {
            let b = s[i]
            if b == UInt8(ascii: "["), schemeLength(s, at: i + 1, bracketed: true),
               let close = s[i...].firstIndex(where: { $0 == UInt8(ascii: "]") || $0 == 0x0A }), s[close] == UInt8(ascii: "]") {
                if let space = s[(i + 1)..<close].firstIndex(where: { $0 == 0x20 || $0 == 0x09 }) {
                    out += s[(space + 1)..<close]
                }
                i = close + 1
                continue
            }
            if schemeLength(s, at: i, bracketed: false), i == 0 || !ByteSearch.isAlnum(s[i - 1]) {
                while i < s.count, !ByteSearch.isSpace(s[i]), !stops.contains(s[i]) { i += 1 }
                continue
            }
            if b == UInt8(ascii: "<"), i + 1 < s.count,
               ByteSearch.isLetter(s[i + 1]) || (s[i + 1] == UInt8(ascii: "/") && i + 2 < s.count && ByteSearch.isLetter(s[i + 2])),
               let gt = s[(i + 1)..<min(s.count, i + 500)].firstIndex(where: { $0 == UInt8(ascii: ">") || $0 == UInt8(ascii: "<") }),
               s[gt] == UInt8(ascii: ">") {
                let name = String(decoding: s[(i + 1)..<gt].prefix { ByteSearch.isAlnum($0) || $0 == UInt8(ascii: "/") }, as: UTF8.self)
                    .lowercased().filter { $0 != "/" }
                // Line breaks and block elements end a line; inline tags vanish.
                if ["br", "p", "div", "li", "tr"].contains(name) { out.append(0x0A) }
                i = gt + 1
                continue
            }
            if b == UInt8(ascii: "'"), i + 1 < s.count, s[i + 1] == UInt8(ascii: "'") {
                while i < s.count, s[i] == UInt8(ascii: "'") { i += 1 }
                continue
            }
            out.append(b)
            i += 1
        }
        return out
    }

    // MARK: lines and paragraphs

    private enum Block { case heading(Int, String), text([String]) }

    static func paragraphs(_ s: [UInt8]) -> String {
        var blocks: [Block] = []
        var current: [String] = []
        func flush() {
            if !current.isEmpty { blocks.append(.text(current)) }
            current = []
        }
        for rawLine in s.split(separator: 0x0A, omittingEmptySubsequences: false) {
            let line = String(decoding: rawLine, as: UTF8.self).trimmingSpaces
            if line.isEmpty || line.utf8.allSatisfy({ $0 == UInt8(ascii: "-") }) {
                flush()
                continue
            }
            if let (level, title) = heading(line) {
                flush()
                let text = cleanLine(title)
                if !text.isEmpty { blocks.append(.heading(level, text)) }
                continue
            }
            let text = cleanLine(String(line.unicodeScalars.drop { $0 == "*" || $0 == "#" || $0 == ":" || $0 == ";" }))
            if text.unicodeScalars.contains(where: WordSplitter.isWordScalar) { current.append(text) }
        }
        flush()
        // A heading whose section is empty (its content was all templates, refs or links) goes too.
        var kept: [String] = []
        for (k, block) in blocks.enumerated() {
            switch block {
            case .text(let lines): kept.append(lines.joined(separator: "\n"))
            case .heading(let level, let text):
                var j = k + 1
                var hasContent = false
                while j < blocks.count {
                    if case .heading(let l, _) = blocks[j] { if l <= level { break } } else { hasContent = true; break }
                    j += 1
                }
                if hasContent { kept.append(text) }
            }
        }
        return kept.joined(separator: "\n\n")
    }

    /// `== Title ==` → (2, "Title").
    private static func heading(_ line: String) -> (Int, String)? {
        let u = Array(line.utf8)
        let eq = UInt8(ascii: "=")
        guard u.count > 2, u.first == eq, u.last == eq else { return nil }
        let left = u.prefix { $0 == eq }.count, right = u.reversed().prefix { $0 == eq }.count
        let level = min(left, right)
        guard u.count > 2 * level else { return nil }
        return (level, String(decoding: u[level..<(u.count - level)], as: UTF8.self).trimmingSpaces)
    }

    private static let tightBefore: Set<Unicode.Scalar> = [",", ".", ";", ":", "!", "?", ")"]

    /// Magic words, entities, spaces, and the punctuation left around removed markup: one space
    /// between words, none before `, . ; : ! ? )` or after `(`, and no empty `()`.
    static func cleanLine(_ line: String) -> String {
        let decoded = XMLEntities.decode(removeMagicWords(Array(line.utf8)), html: true)
        var out = String.UnicodeScalarView()
        var pending = false
        for c in String(decoding: decoded, as: UTF8.self).unicodeScalars {
            if c == " " || c == "\t" {
                if !out.isEmpty { pending = true }
                continue
            }
            if c == ")", out.last == "(" {
                out.removeLast()
                if out.last == " " {
                    out.removeLast()
                    pending = !out.isEmpty
                }
                continue
            }
            if pending, !tightBefore.contains(c), out.last != "(" { out.append(" ") }
            pending = false
            out.append(c)
        }
        return String(out)
    }

    /// Removes `__TOC__`, `__NOTOC__` and the like (`__` + ASCII capitals, digits or `_` + `__`).
    static func removeMagicWords(_ s: [UInt8]) -> [UInt8] {
        let u = UInt8(ascii: "_")
        guard ByteSearch.find([u, u], in: s, from: 0) != nil else { return s }
        var out: [UInt8] = []
        var i = 0
        while i < s.count {
            if s[i] == u, i + 1 < s.count, s[i + 1] == u {
                var j = i + 2
                while j < s.count, (s[j] >= 65 && s[j] <= 90) || (s[j] >= 48 && s[j] <= 57) { j += 1 }
                if j > i + 2, j + 1 < s.count, s[j] == u, s[j + 1] == u {
                    i = j + 2
                    continue
                }
            }
            out.append(s[i])
            i += 1
        }
        return out
    }
}

extension String {
    var trimmingSpaces: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }

}
