import Foundation

/// Splits template source into tokens, applying Jinja's whitespace rules as configured by
/// Hugging Face: trim_blocks, lstrip_blocks, `-`/`+` modifiers, and no trailing newline.
struct Lexer {
    private let s: [Unicode.Scalar]
    private var i = 0
    private var line = 1
    private var col = 1
    private var tokens: [Token] = []
    private var lineStarting = true

    init(_ source: String) {
        var src = source.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        if src.hasSuffix("\n") { src.removeLast() }  // keep_trailing_newline=False
        s = Array(src.unicodeScalars)
    }

    static func tokenize(_ source: String) throws -> [Token] {
        var lx = Lexer(source)
        try lx.run()
        return lx.tokens
    }

    private var loc: SourceLocation { SourceLocation(line: line, column: col) }

    private func at(_ k: Int) -> Unicode.Scalar? { k < s.count ? s[k] : nil }

    private func matches(_ lit: String, at k: Int) -> Bool {
        var p = k
        for c in lit.unicodeScalars {
            guard p < s.count, s[p] == c else { return false }
            p += 1
        }
        return true
    }

    private mutating func advance(_ n: Int = 1) {
        for _ in 0..<n where i < s.count {
            if s[i] == "\n" { line += 1; col = 1 } else { col += 1 }
            i += 1
        }
    }

    private static func isSpace(_ c: Unicode.Scalar) -> Bool {
        c == " " || c == "\t" || c == "\n" || c == "\r" || c == "\u{0B}" || c == "\u{0C}" || c.properties.isWhitespace
    }

    private mutating func run() throws {
        while i < s.count {
            // Find the next tag start.
            var j = i
            var kind: Unicode.Scalar = " "
            while j + 1 < s.count {
                if s[j] == "{", s[j + 1] == "{" || s[j + 1] == "%" || s[j + 1] == "#" { kind = s[j + 1]; break }
                j += 1
            }
            if j + 1 >= s.count { j = s.count }
            var text = Array(s[i..<j])
            let textLoc = loc
            let tagFound = j < s.count
            let modifier = tagFound ? at(j + 2) : nil
            if tagFound {
                if modifier == "-" {
                    while let last = text.last, Lexer.isSpace(last) { text.removeLast() }
                } else if modifier != "+", kind != "{" {
                    let lpos = (text.lastIndex(of: "\n") ?? -1) + 1
                    if lpos > 0 || lineStarting {
                        let tail = text[lpos...]
                        if !tail.isEmpty, tail.allSatisfy({ Lexer.isSpace($0) }) { text.removeSubrange(lpos...) }
                    }
                }
            }
            if !text.isEmpty {
                var str = ""
                str.unicodeScalars.append(contentsOf: text)
                tokens.append(Token(kind: .text(str), loc: textLoc))
            }
            advance(j - i)
            guard tagFound else { break }
            let openLoc = loc
            advance(2)
            if modifier == "-" || modifier == "+" { advance() }
            if kind == "#" {
                try lexComment(openLoc)
            } else {
                try lexTag(isStmt: kind == "%", openLoc: openLoc)
            }
        }
        tokens.append(Token(kind: .eof, loc: loc))
    }

    private mutating func afterClose(strip: Bool, trimBlock: Bool) {
        var last: Unicode.Scalar? = nil
        if strip {
            while let c = at(i), Lexer.isSpace(c) { last = c; advance() }
        } else if trimBlock, at(i) == "\n" {
            last = "\n"
            advance()
        }
        lineStarting = last == "\n"
    }

    private mutating func lexComment(_ openLoc: SourceLocation) throws {
        while i < s.count {
            if matches("#}", at: i) {
                let strip = i > 0 && s[i - 1] == "-"
                let plus = i > 0 && s[i - 1] == "+"
                advance(2)
                afterClose(strip: strip, trimBlock: !plus)
                return
            }
            advance()
        }
        throw TemplateError.syntax("unclosed comment", openLoc)
    }

    private static let operators = ["//", "**", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<", ">",
                                    "(", ")", "[", "]", "{", "}", ",", ".", ":", "|", "=", ";"]

    private mutating func lexTag(isStmt: Bool, openLoc: SourceLocation) throws {
        tokens.append(Token(kind: isStmt ? .stmtOpen : .exprOpen, loc: openLoc))
        let close = isStmt ? "%}" : "}}"
        var depth = 0
        let firstTokenIndex = tokens.count
        while true {
            while let c = at(i), Lexer.isSpace(c) { advance() }
            guard let c = at(i) else {
                throw TemplateError.syntax("unclosed tag: expected '\(close)'", openLoc)
            }
            if depth == 0 {
                if (c == "-" || c == "+") && matches(close, at: i + 1) {
                    tokens.append(Token(kind: isStmt ? .stmtClose : .exprClose, loc: loc))
                    advance(3)
                    afterClose(strip: c == "-", trimBlock: isStmt && c != "+")
                    break
                }
                if matches(close, at: i) {
                    tokens.append(Token(kind: isStmt ? .stmtClose : .exprClose, loc: loc))
                    advance(2)
                    afterClose(strip: false, trimBlock: isStmt)
                    break
                }
            }
            let start = loc
            if c == "_" || c.properties.isAlphabetic {
                var name = ""
                while let d = at(i), d == "_" || d.properties.isAlphabetic || ("0"..."9").contains(d) {
                    name.unicodeScalars.append(d)
                    advance()
                }
                tokens.append(Token(kind: .name(name), loc: start))
            } else if ("0"..."9").contains(c) {
                tokens.append(Token(kind: try lexNumber(start), loc: start))
            } else if c == "'" || c == "\"" {
                tokens.append(Token(kind: .string(try lexString(quote: c, start)), loc: start))
            } else if let op = Lexer.operators.first(where: { matches($0, at: i) }) {
                if op == "(" || op == "[" || op == "{" { depth += 1 }
                if op == ")" || op == "]" || op == "}" { depth = max(0, depth - 1) }
                tokens.append(Token(kind: .op(op), loc: start))
                advance(op.unicodeScalars.count)
            } else {
                throw TemplateError.syntax("unexpected character '\(c)'", start)
            }
        }
        // {% raw %} ... {% endraw %}: the body is plain text.
        if isStmt, tokens.count == firstTokenIndex + 2, case .name("raw") = tokens[firstTokenIndex].kind {
            tokens.removeLast(3)
            try lexRawBody(openLoc)
        }
    }

    private mutating func lexRawBody(_ openLoc: SourceLocation) throws {
        let startLoc = loc
        var k = i
        while k < s.count {
            if s[k] == "{", at(k + 1) == "%" {
                var p = k + 2
                let stripBefore = at(p) == "-"
                if at(p) == "-" || at(p) == "+" { p += 1 }
                while let c = at(p), c == " " || c == "\t" || c == "\n" { p += 1 }
                if matches("endraw", at: p) {
                    p += 6
                    while let c = at(p), c == " " || c == "\t" || c == "\n" { p += 1 }
                    let stripAfter = at(p) == "-"
                    if at(p) == "-" || at(p) == "+" { p += 1 }
                    if matches("%}", at: p) {
                        var body = Array(s[i..<k])
                        if stripBefore { while let l = body.last, Lexer.isSpace(l) { body.removeLast() } }
                        var str = ""
                        str.unicodeScalars.append(contentsOf: body)
                        if !str.isEmpty { tokens.append(Token(kind: .text(str), loc: startLoc)) }
                        advance(p + 2 - i)
                        afterClose(strip: stripAfter, trimBlock: true)
                        return
                    }
                }
            }
            k += 1
        }
        throw TemplateError.syntax("unclosed raw block", openLoc)
    }

    private mutating func lexNumber(_ start: SourceLocation) throws -> TokenKind {
        var text = ""
        var isFloat = false
        func digits(_ lx: inout Lexer) {
            while let d = lx.at(lx.i), ("0"..."9").contains(d) || d == "_" {
                if d != "_" { text.unicodeScalars.append(d) }
                lx.advance()
            }
        }
        digits(&self)
        if at(i) == ".", let d = at(i + 1), ("0"..."9").contains(d) {
            isFloat = true
            text.append(".")
            advance()
            digits(&self)
        }
        if let e = at(i), e == "e" || e == "E" {
            var p = i + 1
            if at(p) == "+" || at(p) == "-" { p += 1 }
            if let d = at(p), ("0"..."9").contains(d) {
                isFloat = true
                text.append("e")
                advance()
                if let sign = at(i), sign == "+" || sign == "-" { text.unicodeScalars.append(sign); advance() }
                digits(&self)
            }
        }
        if isFloat {
            guard let v = Double(text) else { throw TemplateError.syntax("bad number '\(text)'", start) }
            return .double(v)
        }
        guard let v = Int(text) else { throw TemplateError.syntax("integer out of range '\(text)'", start) }
        return .int(v)
    }

    private mutating func lexString(quote: Unicode.Scalar, _ start: SourceLocation) throws -> String {
        advance()
        var out = String.UnicodeScalarView()
        while let c = at(i) {
            if c == quote {
                advance()
                return String(out)
            }
            if c == "\\", let n = at(i + 1) {
                advance(2)
                switch n {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": out.append("\r")
                case "0": out.append("\u{0}")
                case "b": out.append("\u{8}")
                case "f": out.append("\u{C}")
                case "v": out.append("\u{B}")
                case "a": out.append("\u{7}")
                case "\\", "'", "\"": out.append(n)
                case "\n": break
                case "x", "u", "U":
                    let len = n == "x" ? 2 : (n == "u" ? 4 : 8)
                    var hex = ""
                    for _ in 0..<len {
                        guard let h = at(i), h.properties.isASCIIHexDigit else { break }
                        hex.unicodeScalars.append(h)
                        advance()
                    }
                    guard hex.count == len, let v = UInt32(hex, radix: 16), let u = Unicode.Scalar(v) else {
                        throw TemplateError.syntax("bad escape in string", start)
                    }
                    out.append(u)
                default:
                    out.append("\\")
                    out.append(n)
                }
                continue
            }
            out.append(c)
            advance()
        }
        throw TemplateError.syntax("unterminated string", start)
    }
}
