import Foundation

/// Accuracy and confusion matrix of a `LanguageIdentifier` on labelled lines (data/langid/test.tsv).
public struct LanguageIDEvaluation: Sendable {
    /// Rows and columns of the confusion matrix.
    public static let labels: [Language] = [.kk, .ru, .en, .mixed, .other]

    /// confusion[true label][predicted label] = number of lines.
    public var confusion: [Language: [Language: Int]]
    /// Lines whose prediction differs from the label, in input order.
    public var errors: [(label: Language, predicted: Language, text: String)]

    public var total: Int { confusion.values.reduce(0) { $0 + $1.values.reduce(0, +) } }
    public var correct: Int { Self.labels.reduce(0) { $0 + count(label: $1, predicted: $1) } }
    /// Fraction of all lines labelled correctly.
    public var accuracy: Double { total == 0 ? 0 : Double(correct) / Double(total) }

    public func count(label: Language, predicted: Language) -> Int { confusion[label]?[predicted] ?? 0 }
    /// Number of lines with this true label.
    public func count(label: Language) -> Int { confusion[label]?.values.reduce(0, +) ?? 0 }
    /// Fraction of the lines with this true label that were predicted as it (recall).
    public func accuracy(label: Language) -> Double {
        let n = count(label: label)
        return n == 0 ? 0 : Double(count(label: label, predicted: label)) / Double(n)
    }
    /// Accuracy on the clean single-language lines: true label kk, ru or en.
    public var cleanAccuracy: Double {
        let clean: [Language] = [.kk, .ru, .en]
        let n = clean.reduce(0) { $0 + count(label: $1) }
        let ok = clean.reduce(0) { $0 + count(label: $1, predicted: $1) }
        return n == 0 ? 0 : Double(ok) / Double(n)
    }

    public init(confusion: [Language: [Language: Int]], errors: [(label: Language, predicted: Language, text: String)] = []) {
        self.confusion = confusion
        self.errors = errors
    }

    public static func evaluate(lines: [(label: Language, text: String)], identifier: LanguageIdentifier) -> LanguageIDEvaluation {
        var confusion: [Language: [Language: Int]] = [:]
        var errors: [(label: Language, predicted: Language, text: String)] = []
        for line in lines {
            let predicted = identifier.identify(line.text).language
            confusion[line.label, default: [:]][predicted, default: 0] += 1
            if predicted != line.label { errors.append((line.label, predicted, line.text)) }
        }
        return LanguageIDEvaluation(confusion: confusion, errors: errors)
    }

    /// Summary lines and the confusion matrix as a Markdown table (rows: true label, columns: predicted).
    public var markdown: String {
        func pct(_ x: Double) -> String { String(format: "%.1f%%", x * 100) }
        var out = "Lines: \(total); accuracy \(pct(accuracy)) (\(correct)/\(total)); "
        out += "clean kk/ru/en accuracy \(pct(cleanAccuracy))\n\n"
        out += "| true \\ predicted | " + Self.labels.map(\.rawValue).joined(separator: " | ") + " | lines | recall |\n"
        out += "|---|" + String(repeating: "---:|", count: Self.labels.count + 2) + "\n"
        for label in Self.labels where count(label: label) > 0 {
            let cells = Self.labels.map { predicted -> String in
                let n = count(label: label, predicted: predicted)
                return predicted == label ? "**\(n)**" : "\(n)"
            }
            out += "| \(label.rawValue) | " + cells.joined(separator: " | ")
            out += " | \(count(label: label)) | \(pct(accuracy(label: label))) |\n"
        }
        return out
    }
}

/// Parses `label<TAB>text` lines (data/langid/test.tsv). Empty lines and lines starting with `#` are skipped.
public enum LabeledLines {
    public struct ParseError: Error, CustomStringConvertible, Sendable {
        /// One `line N: reason` per bad line, 1-based.
        public var problems: [String]
        public var description: String { problems.joined(separator: "\n") }
    }

    public static func parse(_ tsv: String) throws -> [(label: Language, text: String)] {
        var lines: [(label: Language, text: String)] = []
        var problems: [String] = []
        // "\r\n" is one Character in Swift, so it is a separator of its own.
        let rawLines = tsv.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        for (index, raw) in rawLines.enumerated() {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if line.allSatisfy({ $0.isWhitespace }) || line.hasPrefix("#") { continue }
            guard let tab = line.firstIndex(of: "\t") else {
                problems.append("line \(index + 1): no tab between label and text")
                continue
            }
            let name = String(line[..<tab])
            let text = String(line[line.index(after: tab)...])
            guard let label = Language(rawValue: name) else {
                problems.append("line \(index + 1): unknown label \"\(name)\" (expected kk, ru, en, mixed or other)")
                continue
            }
            guard !text.allSatisfy({ $0.isWhitespace }) else {
                problems.append("line \(index + 1): empty text")
                continue
            }
            lines.append((label, text))
        }
        if !problems.isEmpty { throw ParseError(problems: problems) }
        return lines
    }
}
