import Foundation

/// Everything that can go wrong between a `hf:` reference and a verified file in the
/// cache. Each case says in one line what happened and what to do.
public enum HubError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    case invalidReference(String, reason: String)
    /// No `HF_ENDPOINT` and no installed hub client that names one.
    case endpointNotConfigured
    case invalidEndpoint(String)
    /// The hub says the repo does not exist (or is private and the token cannot see it).
    case unknownRepo(String, tokenGiven: Bool)
    /// A gated repo: the terms were not accepted, or no token was sent.
    case gated(String, tokenGiven: Bool)
    /// The token was refused.
    case unauthorized(String)
    case noGGUF(repo: String, files: [String])
    /// `:QUANT` matched no file; `available` lists the quantizations that exist.
    case quantNotFound(repo: String, quant: String, available: [String])
    case fileNotFound(repo: String, file: String, ggufFiles: [String])
    case revisionNotFound(repo: String, revision: String)
    /// Some `-0000k-of-0000N` parts are missing from the repo.
    case incompleteSplit(repo: String, file: String, missing: [String])
    /// `HF_HUB_OFFLINE` (or `--offline`) and the file is not in the cache.
    case offlineNotCached(String)
    case hashMismatch(file: String, expected: String, got: String)
    case sizeMismatch(file: String, expected: Int, got: Int)
    case insufficientDisk(path: String, needed: Int, available: Int)
    case http(status: Int, url: String, message: String)
    case network(url: String, reason: String)
    case badResponse(url: String, reason: String)
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidReference(text, reason):
            return "invalid hub reference '\(text.prefix(200))': \(reason)"
        case .endpointNotConfigured:
            return "no hub endpoint is configured: set HF_ENDPOINT to the hub's (or a mirror's) base URL, or install the huggingface_hub client, whose endpoint Aqyl then uses"
        case let .invalidEndpoint(url):
            return "HF_ENDPOINT '\(url.prefix(200))' is not an http(s) URL"
        case let .unknownRepo(repo, tokenGiven):
            return tokenGiven
                ? "repository not found: \(repo) (check the spelling; if it is private, HF_TOKEN's account cannot see it)"
                : "repository not found: \(repo) (check the spelling; if it is private, set HF_TOKEN)"
        case let .gated(repo, tokenGiven):
            return tokenGiven
                ? "\(repo) is gated and HF_TOKEN's account has no access yet: accept the model's terms on its hub page with that account (approval may take a while), then retry"
                : "\(repo) is gated: accept the model's terms on its hub page, create an access token, and set HF_TOKEN to it"
        case let .unauthorized(repo):
            return "the hub refused HF_TOKEN for \(repo) (invalid or expired token)"
        case let .noGGUF(repo, files):
            let shown = files.prefix(8).joined(separator: ", ")
            return "\(repo) has no .gguf file (files: \(shown.isEmpty ? "none" : shown)\(files.count > 8 ? ", …" : "")); Aqyl runs GGUF models"
        case let .quantNotFound(repo, quant, available):
            return "\(repo) has no \(quant) file; available quantizations: \(available.isEmpty ? "none recognised" : available.joined(separator: ", "))"
        case let .fileNotFound(repo, file, gguf):
            return "\(repo) has no file '\(file)'; its GGUF files: \(gguf.isEmpty ? "none" : gguf.prefix(12).joined(separator: ", "))"
        case let .revisionNotFound(repo, revision):
            return "\(repo) has no revision '\(revision)'"
        case let .incompleteSplit(repo, file, missing):
            return "\(repo): split model \(file) is missing parts \(missing.joined(separator: ", "))"
        case let .offlineNotCached(ref):
            return "offline mode (HF_HUB_OFFLINE): \(ref) is not in the cache; pull it once while online"
        case let .hashMismatch(file, expected, got):
            return "\(file): SHA-256 is \(got), the hub published \(expected); the partial download was deleted, run the command again"
        case let .sizeMismatch(file, expected, got):
            return "\(file): got \(got) bytes, the hub said \(expected); the partial download was deleted"
        case let .insufficientDisk(path, needed, available):
            return "not enough disk space in \(path): the download needs \(ByteCount.text(needed)), \(ByteCount.text(available)) is free (HF_HUB_CACHE picks another cache directory)"
        case let .http(status, url, message):
            return "the hub answered \(status) for \(url)\(message.isEmpty ? "" : ": " + message)"
        case let .network(url, reason):
            return "cannot reach \(url): \(reason)"
        case let .badResponse(url, reason):
            return "unexpected answer from \(url): \(reason)"
        case let .io(path, reason):
            return "\(path): \(reason)"
        }
    }

    public var errorDescription: String? { description }
}

/// Sizes for people: `4.92 GB`, `312 MB`, `12 KB`.
public enum ByteCount {
    public static func text(_ bytes: Int) -> String {
        let b = Double(max(bytes, 0))
        if b >= 1e9 { return String(format: "%.2f GB", b / 1e9) }
        if b >= 1e6 { return String(format: "%.0f MB", b / 1e6) }
        if b >= 1e3 { return String(format: "%.0f KB", b / 1e3) }
        return "\(bytes) B"
    }
}
