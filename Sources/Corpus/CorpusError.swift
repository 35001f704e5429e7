/// Input errors of the corpus tools, each with a message fit for the user.
public enum CorpusError: Error, Equatable, CustomStringConvertible {
    case fileNotFound(String)
    case notAFile(String)
    case unreadable(String, String)
    case unwritable(String, String)
    case compressed(path: String, tool: String)
    case badRecord(ReaderWarning)
    case malformedDump(String)
    case unknownFormat(String)
    case unknownLanguage(String)
    case emptyInput

    public var description: String {
        switch self {
        case .fileNotFound(let p): return "\(p): no such file"
        case .notAFile(let p): return "\(p): is a directory, not a file"
        case .unreadable(let p, let why): return "\(p): cannot read: \(why)"
        case .unwritable(let p, let why): return "\(p): cannot write: \(why)"
        case .compressed(let p, let tool):
            return "\(p) is compressed and is not read directly; decompress it on the fly: `\(tool) \(p) | aqyl corpus clean - --out OUT.jsonl`"
        case .badRecord(let w): return "\(w) (--strict)"
        case .malformedDump(let why): return "malformed MediaWiki dump: \(why)"
        case .unknownFormat(let f): return "unknown format '\(f)' (expected text, jsonl or mediawiki)"
        case .unknownLanguage(let l):
            return "unknown language '\(l)' (expected a comma list of \(Language.allCases.map(\.rawValue).joined(separator: ", ")))"
        case .emptyInput: return "the input holds no documents"
        }
    }
}
