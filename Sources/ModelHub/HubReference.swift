/// A model on a Hugging Face-style hub, as written on the command line:
///
/// - `hf:ORG/REPO` — the repo's default GGUF (Q4_K_M when there is one)
/// - `hf:ORG/REPO:QUANT` — the GGUF file of that quantization (`Q4_K_M`, `Q8_0`, …)
/// - `hf:ORG/REPO/PATH.gguf` — that file
/// - any of these with `@REVISION` after the repo (`hf:ORG/REPO@v1.0:Q4_K_M`); default `main`
///
/// Parsing checks every part before it reaches a URL or a cache path: repo names
/// follow the hub's rules, file paths have no empty, `.` or `..` components.
public struct HubReference: Sendable, Hashable, CustomStringConvertible {
    public enum Selector: Sendable, Hashable {
        case automatic
        case quant(String)
        case file(String)
    }

    public static let scheme = "hf:"

    /// `ORG/NAME`.
    public let repo: String
    public let revision: String
    public let selector: Selector

    public init(repo: String, revision: String = "main", selector: Selector = .automatic) throws {
        try Self.checkRepo(repo, whole: repo)
        try Self.checkRevision(revision, whole: repo)
        if case let .file(path) = selector { try Self.checkPath(path, whole: repo) }
        if case let .quant(q) = selector { try Self.checkQuant(q, whole: repo) }
        self.repo = repo
        self.revision = revision
        self.selector = selector
    }

    /// True when `text` uses the `hf:` spelling (it may still be malformed).
    public static func isHubReference(_ text: String) -> Bool { text.hasPrefix(scheme) }

    /// Parses `hf:…`; throws ``HubError/invalidReference(_:reason:)`` for a malformed one.
    public static func parse(_ text: String) throws -> HubReference {
        guard text.hasPrefix(scheme) else { throw HubError.invalidReference(text, reason: "it does not start with hf:") }
        let body = String(text.dropFirst(scheme.count))
        let parts = body.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 2 else { throw HubError.invalidReference(text, reason: "expected hf:ORG/REPO") }
        var name = parts[1]
        var selector = Selector.automatic
        if parts.count == 3 {
            selector = .file(parts[2])
        } else if let colon = name.lastIndex(of: ":") {
            selector = .quant(String(name[name.index(after: colon)...]))
            name = String(name[..<colon])
        }
        var revision = "main"
        if let at = name.firstIndex(of: "@") {
            revision = String(name[name.index(after: at)...])
            name = String(name[..<at])
        }
        do {
            return try HubReference(repo: parts[0] + "/" + name, revision: revision, selector: selector)
        } catch let HubError.invalidReference(_, reason) {
            throw HubError.invalidReference(text, reason: reason)
        }
    }

    public var description: String {
        let rev = revision == "main" ? "" : "@" + revision
        switch selector {
        case .automatic: return "\(Self.scheme)\(repo)\(rev)"
        case let .quant(q): return "\(Self.scheme)\(repo)\(rev):\(q)"
        case let .file(f): return "\(Self.scheme)\(repo)\(rev)/\(f)"
        }
    }

    // MARK: - Rules

    /// The hub's repo-name rules: `[A-Za-z0-9][A-Za-z0-9._-]*` for owner and name, at most
    /// 96 characters each, no `--` or `..`, no trailing `.git`.
    static func checkRepo(_ repo: String, whole: String) throws {
        let halves = repo.split(separator: "/", omittingEmptySubsequences: false)
        guard halves.count == 2 else { throw HubError.invalidReference(whole, reason: "expected ORG/REPO") }
        for half in halves {
            let s = String(half)
            guard !s.isEmpty, s.utf8.count <= 96 else {
                throw HubError.invalidReference(whole, reason: "'\(s.prefix(100))' must be 1 to 96 characters")
            }
            guard s.utf8.allSatisfy(isNameByte), let first = s.utf8.first, isAlphanumeric(first) else {
                throw HubError.invalidReference(whole, reason: "'\(s)' may hold only letters, digits, '.', '_' and '-', and starts with a letter or digit")
            }
            guard !s.contains("--"), !s.contains(".."), !s.hasSuffix(".git") else {
                throw HubError.invalidReference(whole, reason: "'\(s)' contains '--' or '..' or ends with .git")
            }
        }
    }

    static func checkRevision(_ revision: String, whole: String) throws {
        guard !revision.isEmpty, revision.utf8.count <= 128,
              revision.utf8.allSatisfy({ isNameByte($0) }), !revision.contains("..") else {
            throw HubError.invalidReference(whole, reason: "revision '\(revision.prefix(130))' must be a branch, tag or commit of letters, digits, '.', '_' and '-'")
        }
    }

    static func checkQuant(_ quant: String, whole: String) throws {
        guard !quant.isEmpty, quant.utf8.count <= 32, quant.utf8.allSatisfy({ isAlphanumeric($0) || $0 == UInt8(ascii: "_") }) else {
            throw HubError.invalidReference(whole, reason: "quantization '\(quant.prefix(40))' must be letters, digits and '_' (e.g. Q4_K_M)")
        }
    }

    /// A file inside the repo: relative, no empty/`.`/`..` components, no backslash or
    /// control characters, a `.gguf` name.
    static func checkPath(_ path: String, whole: String) throws {
        guard !path.isEmpty, path.utf8.count <= 512 else { throw HubError.invalidReference(whole, reason: "the file path is empty or too long") }
        guard path.lowercased().hasSuffix(".gguf") else {
            throw HubError.invalidReference(whole, reason: "'\(path)' is not a .gguf file")
        }
        for component in path.split(separator: "/", omittingEmptySubsequences: false) {
            guard !component.isEmpty, component != ".", component != ".." else {
                throw HubError.invalidReference(whole, reason: "'\(path)' has an empty, '.' or '..' component")
            }
        }
        guard !path.unicodeScalars.contains(where: { $0.value < 0x20 || $0 == "\\" || $0.value == 0x7F }) else {
            throw HubError.invalidReference(whole, reason: "the file path has a backslash or a control character")
        }
    }

    static func isAlphanumeric(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
    }

    static func isNameByte(_ b: UInt8) -> Bool {
        isAlphanumeric(b) || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
    }
}
