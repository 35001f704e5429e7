import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The hub cache layout the hub's own client uses, so a file either tool downloaded is
/// never downloaded again by the other:
///
/// ```text
/// <cache>/models--ORG--NAME/blobs/<etag>                  the bytes (etag = LFS sha256 or git oid)
/// <cache>/models--ORG--NAME/blobs/<etag>.incomplete       a download in progress (resumable)
/// <cache>/models--ORG--NAME/snapshots/<commit>/<path>     symlink to ../../blobs/<etag>
/// <cache>/models--ORG--NAME/refs/<revision>               the commit the revision pointed at
/// <cache>/.locks/models--ORG--NAME/<etag>.lock            flock held while writing a blob
/// ```
public struct HubCache: Sendable {
    public let root: String

    public init(root: String) { self.root = root }

    public func repoDirectory(_ repo: String) -> String {
        root + "/models--" + repo.replacingOccurrences(of: "/", with: "--")
    }

    public func blobPath(_ repo: String, etag: String) -> String { repoDirectory(repo) + "/blobs/" + etag }

    public func snapshotPath(_ repo: String, commit: String, file: String) -> String {
        repoDirectory(repo) + "/snapshots/" + commit + "/" + file
    }

    public func lockPath(_ repo: String, etag: String) -> String {
        root + "/.locks/models--" + repo.replacingOccurrences(of: "/", with: "--") + "/" + etag + ".lock"
    }

    /// The commit a revision pointed at when last seen online (a 40-hex revision is its own commit).
    public func commit(_ repo: String, revision: String) -> String? {
        if Self.isCommitHash(revision) { return revision }
        guard let data = FileManager.default.contents(atPath: repoDirectory(repo) + "/refs/" + revision) else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return Self.isCommitHash(text) ? text : nil
    }

    public func writeRef(_ repo: String, revision: String, commit: String) throws {
        guard !Self.isCommitHash(revision) || revision != commit else { return }
        let path = repoDirectory(repo) + "/refs/" + revision
        try Self.makeDirectory((path as NSString).deletingLastPathComponent)
        do {
            try Data(commit.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw HubError.io(path: path, reason: "cannot write: \(error.localizedDescription)")
        }
    }

    /// Every file of the snapshot that exists (following links); nil unless all do.
    public func cachedFiles(_ repo: String, commit: String, files: [String]) -> [String]? {
        let paths = files.map { snapshotPath(repo, commit: commit, file: $0) }
        return paths.allSatisfy { Self.regularFileSize($0) != nil } ? paths : nil
    }

    /// The GGUF files of a cached snapshot (relative paths), for offline selection.
    public func snapshotFiles(_ repo: String, commit: String) -> [String] {
        let dir = repoDirectory(repo) + "/snapshots/" + commit
        guard let walker = FileManager.default.enumerator(atPath: dir) else { return [] }
        var out: [String] = []
        for case let rel as String in walker where Self.regularFileSize(dir + "/" + rel) != nil { out.append(rel) }
        return out.sorted()
    }

    /// Points `snapshots/<commit>/<file>` at the blob with a relative link, as the hub client does.
    public func link(_ repo: String, commit: String, file: String, etag: String) throws {
        let link = snapshotPath(repo, commit: commit, file: file)
        try Self.makeDirectory((link as NSString).deletingLastPathComponent)
        let depth = file.split(separator: "/").count - 1
        let target = String(repeating: "../", count: depth + 2) + "blobs/" + etag
        unlink(link)
        guard symlink(target, link) == 0 else {
            throw HubError.io(path: link, reason: "cannot link to \(target): \(String(cString: strerror(errno)))")
        }
    }

    static func isCommitHash(_ s: String) -> Bool {
        s.utf8.count == 40 && s.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    static func regularFileSize(_ path: String) -> Int? {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int(st.st_size)
    }

    static func makeDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw HubError.io(path: path, reason: "cannot create directory: \(error.localizedDescription)")
        }
    }

    /// Bytes free for an unprivileged writer on the file system holding `path` (its
    /// nearest existing ancestor), nil if unknown.
    public static func freeBytes(at path: String) -> Int? {
        var dir = path
        while !FileManager.default.fileExists(atPath: dir), dir != "/", !dir.isEmpty {
            dir = (dir as NSString).deletingLastPathComponent
        }
        var st = statvfs()
        guard statvfs(dir.isEmpty ? "/" : dir, &st) == 0 else { return nil }
        let (bytes, overflow) = Int(st.f_bavail).multipliedReportingOverflow(by: Int(st.f_frsize))
        return overflow ? Int.max : bytes
    }
}

/// An exclusive `flock` on a file, held until released: two downloads of one blob (two
/// Aqyl processes, or Aqyl and the hub client, which locks the same path) never interleave.
final class FileLock {
    private let fd: Int32

    init(path: String) throws {
        try HubCache.makeDirectory((path as NSString).deletingLastPathComponent)
        fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw HubError.io(path: path, reason: "cannot open lock: \(String(cString: strerror(errno)))") }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else {
                close(fd)
                throw HubError.io(path: path, reason: "cannot lock: \(String(cString: strerror(errno)))")
            }
        }
    }

    func release() {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
