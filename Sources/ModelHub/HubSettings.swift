import Foundation

/// Where the hub is, who we are to it, and where its files are cached — read from the
/// same environment variables the hub's own Python client reads, so both share one
/// cache and one configuration.
public struct HubSettings: Sendable, Equatable {
    /// Base URL without a trailing slash; nil until configured (see ``endpoint()``).
    public var endpoint: String?
    public var token: String?
    /// Use only the cache; never touch the network.
    public var offline: Bool
    /// The hub cache (`models--ORG--NAME/{blobs,snapshots,refs}`).
    public var cacheDirectory: String

    public init(endpoint: String?, token: String?, offline: Bool, cacheDirectory: String) {
        self.endpoint = endpoint.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.token = token
        self.offline = offline
        self.cacheDirectory = cacheDirectory
    }

    /// - `HF_ENDPOINT`: the hub or mirror base URL.
    /// - `HF_TOKEN` (or `HUGGING_FACE_HUB_TOKEN`), else the token file the hub client's
    ///   login writes (`HF_TOKEN_PATH`, default `$HF_HOME/token`).
    /// - `HF_HUB_OFFLINE=1`: cache only.
    /// - `HF_HUB_CACHE`, else `$HF_HOME/hub`, else `$XDG_CACHE_HOME/huggingface/hub`,
    ///   else `~/.cache/huggingface/hub`.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) -> HubSettings {
        func value(_ key: String) -> String? {
            guard let v = env[key]?.trimmingCharacters(in: .whitespacesAndNewlines), !v.isEmpty else { return nil }
            return v
        }
        let home = value("HOME") ?? NSHomeDirectory()
        let hfHome = value("HF_HOME").map(expand)
            ?? (value("XDG_CACHE_HOME").map { expand($0) + "/huggingface" } ?? home + "/.cache/huggingface")
        let cache = value("HF_HUB_CACHE").map(expand) ?? hfHome + "/hub"
        var token = value("HF_TOKEN") ?? value("HUGGING_FACE_HUB_TOKEN")
        if token == nil {
            let tokenFile = value("HF_TOKEN_PATH").map(expand) ?? hfHome + "/token"
            if let data = FileManager.default.contents(atPath: tokenFile) {
                let text = String(decoding: data.prefix(4096), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                token = text.isEmpty ? nil : text
            }
        }
        let offline = value("HF_HUB_OFFLINE").map { ["1", "on", "yes", "true"].contains($0.lowercased()) } ?? false
        return HubSettings(endpoint: value("HF_ENDPOINT"), token: token, offline: offline, cacheDirectory: cache)
    }

    /// The configured endpoint; without `HF_ENDPOINT`, the one the installed hub client
    /// (`huggingface_hub`) uses, so Aqyl never hard-codes a registry of its own.
    public func resolvedEndpoint() throws -> String {
        guard let raw = endpoint ?? Self.endpointFromInstalledClient() else { throw HubError.endpointNotConfigured }
        let trimmed = raw.hasSuffix("/") ? String(raw.dropLast()) : raw
        guard let url = URL(string: trimmed), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              url.host?.isEmpty == false, url.query == nil, url.fragment == nil else {
            throw HubError.invalidEndpoint(raw)
        }
        return trimmed
    }

    /// Asks `python3 -c 'import huggingface_hub…'` for its endpoint; nil when it is not installed.
    static func endpointFromInstalledClient() -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "from huggingface_hub import constants; print(constants.ENDPOINT)"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    static func expand(_ path: String) -> String { (path as NSString).expandingTildeInPath }
}
