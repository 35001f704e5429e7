import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension HubClient {
    /// Makes one file present in the cache: reuses the blob when it is there, else
    /// downloads into `blobs/<etag>.incomplete` (resuming with `Range` from what an
    /// earlier, interrupted run left), verifies size and hash, renames it to the blob
    /// and links the snapshot path. Returns the snapshot path and the bytes fetched.
    func fetch(_ file: HubFile, repo: String, commit: String, endpoint: String) async throws -> (String, Int) {
        let snapshot = cache.snapshotPath(repo, commit: commit, file: file.path)
        let blob = cache.blobPath(repo, etag: file.etag)
        if HubCache.regularFileSize(snapshot) == file.size, HubCache.regularFileSize(blob) == file.size {
            events(.message("\(file.path): cached"))
            return (snapshot, 0)
        }
        try HubCache.makeDirectory((blob as NSString).deletingLastPathComponent)
        let lock = try FileLock(path: cache.lockPath(repo, etag: file.etag))
        defer { lock.release() }
        var fetched = 0
        if HubCache.regularFileSize(blob) != file.size {
            if HubCache.regularFileSize(blob) != nil { unlink(blob) }  // a wrong-size blob is not trusted
            fetched = try await download(file, repo: repo, commit: commit, endpoint: endpoint, to: blob)
        } else {
            events(.message("\(file.path): cached"))
        }
        try cache.link(repo, commit: commit, file: file.path, etag: file.etag)
        return (snapshot, fetched)
    }

    /// Downloads and verifies one blob; on a dropped connection retries, resuming.
    func download(_ file: HubFile, repo: String, commit: String, endpoint: String, to blob: String) async throws -> Int {
        let partial = blob + ".incomplete"
        let url = resolveURL(repo: repo, commit: commit, file: file.path, endpoint: endpoint)
        var fetched = 0
        var lastError: HubError?
        let started = ContinuousClock.now
        for attempt in 1...attempts {
            do {
                try await transfer(file, url: url, endpoint: endpoint, partial: partial, repo: repo, commit: commit, received: &fetched)
                lastError = nil
                break
            } catch let error as HubError {
                guard case .network = error, attempt < attempts else { throw error }
                lastError = error
                events(.message("\(file.path): connection lost (\(error)); resuming (attempt \(attempt + 1) of \(attempts))"))
                try? await Task.sleep(for: retryDelay * (1 << min(attempt - 1, 4)))
            }
        }
        if let lastError { throw lastError }
        try verify(file, partial: partial)
        guard rename(partial, blob) == 0 else {
            throw HubError.io(path: blob, reason: "cannot move the download into place: \(String(cString: strerror(errno)))")
        }
        let seconds = Double((ContinuousClock.now - started).components.seconds)
            + Double((ContinuousClock.now - started).components.attoseconds) / 1e18
        events(.fileDone(file: file.path, bytes: file.size, seconds: seconds))
        return fetched
    }

    /// One GET from where the partial file ends to the end of the file; `received` counts
    /// the bytes that came over the network, also when the connection drops.
    func transfer(_ file: HubFile, url: String, endpoint: String, partial: String, repo: String, commit: String,
                  received: inout Int) async throws {
        var offset = HubCache.regularFileSize(partial) ?? 0
        if offset > file.size { unlink(partial); offset = 0 }
        if offset == file.size { return }
        let range = offset > 0 ? [("Range", "bytes=\(offset)-")] : []
        let response = try await send(.GET, url: url, endpoint: endpoint, headers: range, followRedirects: true)
        let status = Int(response.status.code)
        switch status {
        case 206:
            // `Content-Range: bytes START-END/TOTAL` must start where we are.
            let header = response.headers.first(name: "Content-Range") ?? ""
            guard header.hasPrefix("bytes \(offset)-") else {
                throw HubError.badResponse(url: url, reason: "asked for bytes from \(offset), got Content-Range '\(header.prefix(80))'")
            }
        case 200:
            if offset > 0 {  // the server ignored Range: start over
                events(.message("\(file.path): the server cannot resume; starting over"))
                offset = 0
            }
        case 416 where offset > 0:
            unlink(partial)  // what we have does not fit what the server has: start over next attempt
            throw HubError.network(url: url, reason: "range not satisfiable; restarting the download")
        default:
            throw try await failure(response, url: url, repo: repo, revision: commit, file: file.path)
        }

        let fd = open(partial, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw HubError.io(path: partial, reason: "cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard ftruncate(fd, off_t(offset)) == 0, lseek(fd, off_t(offset), SEEK_SET) == off_t(offset) else {
            throw HubError.io(path: partial, reason: "cannot seek: \(String(cString: strerror(errno)))")
        }
        var done = offset
        let receivedBefore = received
        let clock = ContinuousClock()
        let start = clock.now
        var lastReport = start
        do {
            for try await chunk in response.body {
                guard done + chunk.readableBytes <= file.size else {
                    unlink(partial)
                    throw HubError.sizeMismatch(file: file.path, expected: file.size, got: done + chunk.readableBytes)
                }
                try chunk.withUnsafeReadableBytes { try Self.writeAll(fd, $0, path: partial) }
                done += chunk.readableBytes
                received += chunk.readableBytes
                let now = clock.now
                if now - lastReport >= .milliseconds(250) || done == file.size {
                    lastReport = now
                    let elapsed = Self.seconds(now - start)
                    events(.progress(file: file.path, done: done, total: file.size,
                                     bytesPerSecond: elapsed > 0 ? Double(received - receivedBefore) / elapsed : 0))
                }
            }
        } catch let error as HubError {
            throw error
        } catch {
            throw HubError.network(url: url, reason: "\(error)")
        }
        guard done == file.size else {
            throw HubError.network(url: url, reason: "the connection closed after \(done) of \(file.size) bytes")
        }
        guard fsync(fd) == 0 else { throw HubError.io(path: partial, reason: "fsync: \(String(cString: strerror(errno)))") }
    }

    /// Size, then the published SHA-256 (LFS) or git object id; a mismatch deletes the file.
    func verify(_ file: HubFile, partial: String) throws {
        let size = HubCache.regularFileSize(partial) ?? -1
        guard size == file.size else {
            unlink(partial)
            throw HubError.sizeMismatch(file: file.path, expected: file.size, got: size)
        }
        let got: String
        let expected: String
        if let sha = file.sha256 {
            var hasher = SHA256()
            try Self.readChunks(partial) { hasher.update(bufferPointer: $0) }
            got = hasher.finalize().map { String(format: "%02x", $0) }.joined()
            expected = sha
        } else {
            var hasher = Insecure.SHA1()
            hasher.update(data: Data("blob \(file.size)\0".utf8))
            try Self.readChunks(partial) { hasher.update(bufferPointer: $0) }
            got = hasher.finalize().map { String(format: "%02x", $0) }.joined()
            expected = file.etag
        }
        guard got == expected else {
            unlink(partial)
            throw HubError.hashMismatch(file: file.path, expected: expected, got: got)
        }
    }

    static func readChunks(_ path: String, _ body: (UnsafeRawBufferPointer) -> Void) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw HubError.io(path: path, reason: "cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer.baseAddress, buffer.count)
            if n < 0, errno == EINTR { continue }
            guard n >= 0 else { throw HubError.io(path: path, reason: "read: \(String(cString: strerror(errno)))") }
            if n == 0 { return }
            body(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
    }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var written = 0
        while written < bytes.count {
            let n = write(fd, bytes.baseAddress! + written, bytes.count - written)
            if n < 0, errno == EINTR { continue }
            guard n > 0 else {
                throw HubError.io(path: path, reason: "write failed: \(String(cString: strerror(errno))) (the partial file is kept; the next pull resumes it)")
            }
            written += n
        }
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
