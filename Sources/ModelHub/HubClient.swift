import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// One file of a repo as the hub describes it.
public struct HubFile: Sendable, Equatable {
    public let path: String
    public let size: Int
    /// The blob's name in the cache: the LFS sha256, else the git object id.
    public let etag: String
    /// The SHA-256 the hub publishes for LFS files (verified after download).
    public let sha256: String?

    public init(path: String, size: Int, etag: String, sha256: String?) {
        self.path = path
        self.size = size
        self.etag = etag
        self.sha256 = sha256
    }
}

/// What a pull produced: local paths (symlinks into the blob store) in part order.
public struct HubPull: Sendable, Equatable {
    public let reference: HubReference
    public let commit: String
    public let files: [String]
    /// Paths in the cache, `files[0]` is the one to open (a split model's first part).
    public let localPaths: [String]
    /// Bytes fetched over the network by this pull (0 when everything was cached).
    public let downloadedBytes: Int

    public var modelPath: String { localPaths[0] }
}

/// What a pull reports while it works.
public enum HubEvent: Sendable, Equatable {
    case message(String)
    case progress(file: String, done: Int, total: Int, bytesPerSecond: Double)
    case fileDone(file: String, bytes: Int, seconds: Double)
}

/// Pulls GGUF models from a hub that speaks the Hugging Face routes:
/// `GET /api/models/{repo}/revision/{rev}?blobs=true` for the file list (sizes, LFS
/// sha256) and `GET /{repo}/resolve/{commit}/{file}` (redirects followed, `Range` for
/// resuming) for the bytes. Files land in the hub client's cache layout (``HubCache``),
/// each verified against the published SHA-256 (git object id for non-LFS files) before
/// it is linked into the snapshot, so a half-written or corrupted file is never used.
public struct HubClient: Sendable {
    public let settings: HubSettings
    public let cache: HubCache
    let freeSpace: @Sendable (String) -> Int?
    let events: @Sendable (HubEvent) -> Void
    /// Attempts per file when the connection drops mid-download (each resumes with Range).
    let attempts: Int
    let retryDelay: Duration

    public init(
        settings: HubSettings = .fromEnvironment(),
        freeSpace: @escaping @Sendable (String) -> Int? = HubCache.freeBytes(at:),
        attempts: Int = 5,
        retryDelay: Duration = .seconds(1),
        events: @escaping @Sendable (HubEvent) -> Void = { _ in }
    ) {
        self.settings = settings
        self.cache = HubCache(root: settings.cacheDirectory)
        self.freeSpace = freeSpace
        self.attempts = max(1, attempts)
        self.retryDelay = retryDelay
        self.events = events
    }

    /// Redirects are followed by hand, so the token never leaves the hub's origin.
    static let http: HTTPClient = {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.timeout.connect = .seconds(15)
        configuration.timeout.read = .seconds(60)
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.decompression = .disabled
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    // MARK: - Pull

    /// Makes the reference's files present and verified in the cache and returns them.
    /// Cached files are never fetched again; offline, only the cache is used.
    public func pull(_ reference: HubReference, offline: Bool? = nil) async throws -> HubPull {
        if offline ?? settings.offline { return try pullFromCache(reference) }
        let endpoint = try settings.resolvedEndpoint()
        let info: HubRepoInfo
        do {
            info = try await repoInfo(reference, endpoint: endpoint)
        } catch let error as HubError {
            // Unreachable hub: fall back to what the cache holds, as the hub client does.
            if case .network = error, let cached = try? pullFromCache(reference) {
                events(.message("hub unreachable (\(error)); using the cached copy"))
                return cached
            }
            throw error
        }
        guard let commit = info.sha, HubCache.isCommitHash(commit) else {
            throw HubError.badResponse(url: infoURL(reference, endpoint: endpoint), reason: "no commit sha in the model info")
        }
        let siblings = info.siblings ?? []
        let names = try HubFileSelection.select(reference, files: siblings.map(\.rfilename))
        var files: [HubFile] = []
        for name in names {
            let sibling = siblings.first { $0.rfilename == name }
            files.append(try await describe(name, sibling: sibling, repo: reference.repo, commit: commit, endpoint: endpoint))
        }
        try checkDiskSpace(files, repo: reference.repo)

        var downloaded = 0
        var paths: [String] = []
        for file in files {
            let (path, bytes) = try await fetch(file, repo: reference.repo, commit: commit, endpoint: endpoint)
            paths.append(path)
            downloaded += bytes
        }
        try cache.writeRef(reference.repo, revision: reference.revision, commit: commit)
        return HubPull(reference: reference, commit: commit, files: names, localPaths: paths, downloadedBytes: downloaded)
    }

    /// The reference resolved against the cache alone.
    public func pullFromCache(_ reference: HubReference) throws -> HubPull {
        guard let commit = cache.commit(reference.repo, revision: reference.revision) else {
            throw HubError.offlineNotCached(reference.description)
        }
        let available = cache.snapshotFiles(reference.repo, commit: commit)
        let names: [String]
        do {
            names = try HubFileSelection.select(reference, files: available)
        } catch {
            throw HubError.offlineNotCached(reference.description)
        }
        guard let paths = cache.cachedFiles(reference.repo, commit: commit, files: names) else {
            throw HubError.offlineNotCached(reference.description)
        }
        return HubPull(reference: reference, commit: commit, files: names, localPaths: paths, downloadedBytes: 0)
    }

    // MARK: - Repo info

    func infoURL(_ reference: HubReference, endpoint: String) -> String {
        "\(endpoint)/api/models/\(reference.repo)/revision/\(Self.escape(reference.revision))?blobs=true"
    }

    public func repoInfo(_ reference: HubReference, endpoint: String) async throws -> HubRepoInfo {
        let url = infoURL(reference, endpoint: endpoint)
        let response = try await send(.GET, url: url, endpoint: endpoint, followRedirects: true)
        guard response.status == .ok else {
            throw try await failure(response, url: url, repo: reference.repo, revision: reference.revision)
        }
        let body: ByteBuffer
        do {
            body = try await response.body.collect(upTo: 64 << 20)
        } catch {
            throw HubError.network(url: url, reason: "\(error)")
        }
        do {
            return try JSONDecoder().decode(HubRepoInfo.self, from: Data(buffer: body))
        } catch {
            throw HubError.badResponse(url: url, reason: "the model info is not the expected JSON (\(error))")
        }
    }

    /// Size and etag from the file list; when the hub left them out, from a HEAD of the
    /// file (`X-Linked-Size`, `X-Linked-Etag`, as the hub client reads them).
    func describe(_ name: String, sibling: HubRepoInfo.Sibling?, repo: String, commit: String, endpoint: String) async throws -> HubFile {
        if let lfs = sibling?.lfs, Self.isSHA256(lfs.sha256.lowercased()), lfs.size >= 0 {
            return HubFile(path: name, size: lfs.size, etag: lfs.sha256.lowercased(), sha256: lfs.sha256.lowercased())
        }
        if let sibling, let size = sibling.size, size >= 0, let oid = sibling.blobId?.lowercased(), Self.isGitOID(oid) {
            return HubFile(path: name, size: size, etag: oid, sha256: nil)
        }
        let url = resolveURL(repo: repo, commit: commit, file: name, endpoint: endpoint)
        let response = try await send(.HEAD, url: url, endpoint: endpoint, followRedirects: false, stopAtForeignRedirect: true)
        guard (200..<400).contains(Int(response.status.code)) else {
            throw try await failure(response, url: url, repo: repo, revision: commit, file: name)
        }
        let etag = Self.normalizeETag(response.headers.first(name: "X-Linked-Etag") ?? response.headers.first(name: "ETag") ?? "")
        guard let size = (response.headers.first(name: "X-Linked-Size") ?? response.headers.first(name: "Content-Length")).flatMap({ Int($0) }),
              size >= 0, Self.isSHA256(etag) || Self.isGitOID(etag) else {
            throw HubError.badResponse(url: url, reason: "no size or etag for \(name)")
        }
        return HubFile(path: name, size: size, etag: etag, sha256: Self.isSHA256(etag) ? etag : nil)
    }

    func resolveURL(repo: String, commit: String, file: String, endpoint: String) -> String {
        let path = file.split(separator: "/").map { Self.escape(String($0)) }.joined(separator: "/")
        return "\(endpoint)/\(repo)/resolve/\(commit)/\(path)"
    }

    // MARK: - Disk

    /// Refuses before the first byte when the cache's file system cannot hold what is
    /// still missing (plus 1% and 16 MB of headroom).
    func checkDiskSpace(_ files: [HubFile], repo: String) throws {
        var needed = 0
        for file in files {
            let blob = cache.blobPath(repo, etag: file.etag)
            if HubCache.regularFileSize(blob) == file.size { continue }
            let partial = min(HubCache.regularFileSize(blob + ".incomplete") ?? 0, file.size)
            needed += file.size - partial
        }
        guard needed > 0, let free = freeSpace(cache.root) else { return }
        let headroom = needed / 100 + (16 << 20)
        if free < needed + headroom {
            throw HubError.insufficientDisk(path: cache.root, needed: needed, available: free)
        }
    }

    // MARK: - HTTP

    /// One request; redirects followed by hand (at most 10). The token goes only to the
    /// endpoint's own origin. With `stopAtForeignRedirect`, a redirect to another origin
    /// is returned as is (its headers carry the file's metadata).
    func send(_ method: HTTPMethod, url: String, endpoint: String, headers extra: [(String, String)] = [],
              followRedirects: Bool, stopAtForeignRedirect: Bool = false) async throws -> HTTPClientResponse {
        var current = url
        for _ in 0..<10 {
            var request = HTTPClientRequest(url: current)
            request.method = method
            request.headers.add(name: "User-Agent", value: "aqyl")
            request.headers.add(name: "Accept-Encoding", value: "identity")
            for (k, v) in extra { request.headers.add(name: k, value: v) }
            if let token = settings.token, Self.sameOrigin(current, endpoint) {
                request.headers.add(name: "Authorization", value: "Bearer \(token)")
            }
            let response: HTTPClientResponse
            do {
                response = try await Self.http.execute(request, deadline: .now() + .hours(48))
            } catch {
                throw HubError.network(url: current, reason: "\(error)")
            }
            let code = Int(response.status.code)
            guard [301, 302, 303, 307, 308].contains(code), let location = response.headers.first(name: "Location") else {
                return response
            }
            guard let next = URL(string: location, relativeTo: URL(string: current))?.absoluteString,
                  next.hasPrefix("http://") || next.hasPrefix("https://") else {
                throw HubError.badResponse(url: current, reason: "redirect to an unusable location '\(location.prefix(200))'")
            }
            if !followRedirects && (stopAtForeignRedirect ? !Self.sameOrigin(next, current) : true) { return response }
            current = next
        }
        throw HubError.badResponse(url: url, reason: "more than 10 redirects")
    }

    /// A non-success answer as a typed error, from the hub's `X-Error-Code` when it sends one.
    func failure(_ response: HTTPClientResponse, url: String, repo: String, revision: String, file: String? = nil) async throws -> HubError {
        let code = response.headers.first(name: "X-Error-Code") ?? ""
        var message = response.headers.first(name: "X-Error-Message") ?? ""
        if message.isEmpty, let body = try? await response.body.collect(upTo: 64 << 10) {
            let text = String(buffer: body)
            if let data = text.data(using: .utf8), let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
               let error = json["error"] as? String {
                message = error
            } else {
                message = String(text.prefix(200))
            }
        }
        let tokenGiven = settings.token != nil
        let status = Int(response.status.code)
        switch code {
        case "GatedRepo": return .gated(repo, tokenGiven: tokenGiven)
        case "RepoNotFound": return .unknownRepo(repo, tokenGiven: tokenGiven)
        case "RevisionNotFound": return .revisionNotFound(repo: repo, revision: revision)
        case "EntryNotFound": return .fileNotFound(repo: repo, file: file ?? "?", ggufFiles: [])
        default: break
        }
        if message.lowercased().contains("gated") || message.lowercased().contains("restricted") {
            return .gated(repo, tokenGiven: tokenGiven)
        }
        switch status {
        case 401: return tokenGiven ? .unauthorized(repo) : .unknownRepo(repo, tokenGiven: false)
        case 403: return .gated(repo, tokenGiven: tokenGiven)
        case 404 where file == nil: return .unknownRepo(repo, tokenGiven: tokenGiven)
        default: return .http(status: status, url: url, message: message)
        }
    }

    // MARK: - Helpers

    static func sameOrigin(_ a: String, _ b: String) -> Bool {
        guard let x = URL(string: a), let y = URL(string: b) else { return false }
        func port(_ u: URL) -> Int { u.port ?? (u.scheme?.lowercased() == "https" ? 443 : 80) }
        return x.scheme?.lowercased() == y.scheme?.lowercased() && x.host?.lowercased() == y.host?.lowercased() && port(x) == port(y)
    }

    static func escape(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? s
    }

    /// `W/"abc"` → `abc`.
    static func normalizeETag(_ raw: String) -> String {
        var s = raw.trimmingCharacters(in: .whitespaces)
        if s.hasPrefix("W/") { s.removeFirst(2) }
        return s.trimmingCharacters(in: CharacterSet(charactersIn: "\"")).lowercased()
    }

    static func isSHA256(_ s: String) -> Bool { s.utf8.count == 64 && isHex(s) }
    static func isGitOID(_ s: String) -> Bool { s.utf8.count == 40 && isHex(s) }
    static func isHex(_ s: String) -> Bool {
        s.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }
}
