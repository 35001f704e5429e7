import Crypto
import Foundation
import Hummingbird
import NIOCore

/// A hub on 127.0.0.1 that answers the routes a hub client uses, as the real one does:
///
/// - `GET /api/models/ORG/NAME[/revision/REV]` — model info with `sha` and `siblings`
///   (`rfilename`, `size`, `blobId`, `lfs {sha256, size, pointerSize}`) and `gated`.
/// - `HEAD|GET /ORG/NAME/resolve/REV/PATH` — LFS files: 302 to storage on another host
///   name (`localhost`), carrying `X-Repo-Commit`, `X-Linked-Etag`, `X-Linked-Size`;
///   small files: 200 with the git object id as `ETag`.
/// - `HEAD|GET /storage/SHA256` — the bytes, with `Range` (206 / 416).
/// - errors as the hub sends them: 401 `RepoNotFound` without a token, 404 with one;
///   gated repos 401 (no token) / 403 (token without access) with `X-Error-Code: GatedRepo`.
///
/// Faults for the tests: a storage answer cut off after N bytes, corrupted bytes.
final class LocalHub: Sendable {
    struct Repo: Sendable {
        var commit: String
        var files: [String: [UInt8]]
        var gatedTokens: Set<String>? = nil
    }

    /// What the hub saw, for the tests' "downloaded once" assertions.
    actor Log {
        var storageGets = 0
        var storageBytes = 0
        var rangeRequests: [String] = []
        var authorizationOnStorage = 0
        var cutAfter: Int? = nil
        var cutsLeft = 0
        var corrupt = false

        func record(bytes: Int, range: String?, authorized: Bool) {
            storageGets += 1
            storageBytes += bytes
            if let range { rangeRequests.append(range) }
            if authorized { authorizationOnStorage += 1 }
        }
        func setCut(after bytes: Int?, times: Int) { cutAfter = bytes; cutsLeft = times }
        func takeCut() -> Int? {
            guard let c = cutAfter, cutsLeft > 0 else { return nil }
            cutsLeft -= 1
            return c
        }
        func setCorrupt(_ on: Bool) { corrupt = on }
        func reset() { storageGets = 0; storageBytes = 0; rangeRequests = []; authorizationOnStorage = 0 }
    }

    let repos: [String: Repo]
    let log = Log()

    init(repos: [String: Repo]) { self.repos = repos }

    static let lfsThreshold = 1024

    static func sha256(_ bytes: [UInt8]) -> String { SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() }
    static func gitOID(_ bytes: [UInt8]) -> String {
        var h = Insecure.SHA1()
        h.update(data: Data("blob \(bytes.count)\0".utf8))
        h.update(data: bytes)
        return h.finalize().map { String(format: "%02x", $0) }.joined()
    }

    var blobs: [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        for repo in repos.values { for bytes in repo.files.values { out[Self.sha256(bytes)] = bytes } }
        return out
    }

    func application() -> some ApplicationProtocol {
        let router = Router()
        let hub = self
        let blobs = self.blobs
        router.get("/api/models/:org/:name") { request, context in
            try hub.info(request, context, revision: "main")
        }
        router.get("/api/models/:org/:name/revision/:rev") { request, context in
            try hub.info(request, context, revision: context.parameters.require("rev"))
        }
        router.on("/:org/:name/resolve/:rev/**", method: .head) { request, context in
            try hub.resolve(request, context)
        }
        router.get("/:org/:name/resolve/:rev/**") { request, context in
            try hub.resolve(request, context)
        }
        router.on("/storage/:sha", method: .head) { request, context in
            try await hub.storage(request, context, blobs: blobs, head: true)
        }
        router.get("/storage/:sha") { request, context in
            try await hub.storage(request, context, blobs: blobs, head: false)
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    // MARK: - Routes

    func repo(_ request: Request, _ context: BasicRequestContext) throws -> (String, Repo)? {
        let id = try context.parameters.require("org") + "/" + context.parameters.require("name")
        return repos[id].map { (id, $0) }
    }

    func token(_ request: Request) -> String? {
        guard let auth = request.headers[.authorization], auth.hasPrefix("Bearer ") else { return nil }
        return String(auth.dropFirst(7))
    }

    func error(_ status: HTTPResponse.Status, code: String, message: String) -> Response {
        var headers = HTTPFields()
        headers[HTTPFields.Element.Name("X-Error-Code")!] = code
        headers[HTTPFields.Element.Name("X-Error-Message")!] = message
        headers[.contentType] = "application/json"
        let body = ByteBuffer(string: "{\"error\":\"\(message)\"}")
        return Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }

    /// Access as the hub decides it: unknown repos look the same as private ones.
    func denied(_ request: Request, _ found: (String, Repo)?, fileRequest: Bool) -> Response? {
        guard let (_, repo) = found else {
            return token(request) == nil
                ? error(.unauthorized, code: "RepoNotFound", message: "Repository not found")
                : error(.notFound, code: "RepoNotFound", message: "Repository not found")
        }
        if fileRequest, let allowed = repo.gatedTokens {
            guard let t = token(request) else {
                return error(.unauthorized, code: "GatedRepo", message: "Access to this model is restricted. You must have access to it and be authenticated.")
            }
            if !allowed.contains(t) {
                return error(.forbidden, code: "GatedRepo", message: "Access to this model is restricted and you are not in the authorized list.")
            }
        }
        return nil
    }

    func info(_ request: Request, _ context: BasicRequestContext, revision: String) throws -> Response {
        let found = try repo(request, context)
        if let denial = denied(request, found, fileRequest: false) { return denial }
        let (id, repo) = found!
        guard revision == "main" || revision == repo.commit else {
            return error(.notFound, code: "RevisionNotFound", message: "Invalid rev id: \(revision)")
        }
        let siblings: [[String: Any]] = repo.files.keys.sorted().map { name in
            let bytes = repo.files[name]!
            var entry: [String: Any] = ["rfilename": name, "size": bytes.count, "blobId": Self.gitOID(bytes)]
            if bytes.count >= Self.lfsThreshold {
                entry["lfs"] = ["sha256": Self.sha256(bytes), "size": bytes.count, "pointerSize": 134]
            }
            return entry
        }
        let json: [String: Any] = [
            "_id": "0", "id": id, "modelId": id, "sha": repo.commit, "private": false,
            "gated": repo.gatedTokens == nil ? false : "manual" as Any, "siblings": siblings, "tags": ["gguf"],
        ]
        let data = try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    func resolve(_ request: Request, _ context: BasicRequestContext) throws -> Response {
        let found = try repo(request, context)
        if let denial = denied(request, found, fileRequest: true) { return denial }
        let (_, repo) = found!
        let revision = try context.parameters.require("rev")
        guard revision == "main" || revision == repo.commit else {
            return error(.notFound, code: "RevisionNotFound", message: "Invalid rev id: \(revision)")
        }
        let path = context.parameters.getCatchAll().joined(separator: "/")
        guard let bytes = repo.files[path] else {
            return error(.notFound, code: "EntryNotFound", message: "\(path) does not exist on \"main\"")
        }
        var headers = HTTPFields()
        headers[HTTPFields.Element.Name("X-Repo-Commit")!] = repo.commit
        if bytes.count >= Self.lfsThreshold {
            let sha = Self.sha256(bytes)
            // Storage lives on another host name, so clients treat it as a CDN (no token sent).
            let host = request.head.authority ?? "127.0.0.1"
            let port = host.split(separator: ":").last.map(String.init) ?? "80"
            headers[.location] = "http://localhost:\(port)/storage/\(sha)"
            headers[HTTPFields.Element.Name("X-Linked-Etag")!] = "\"\(sha)\""
            headers[HTTPFields.Element.Name("X-Linked-Size")!] = String(bytes.count)
            headers[.eTag] = "\"\(sha)\""
            return Response(status: .found, headers: headers)
        }
        headers[.eTag] = "\"\(Self.gitOID(bytes))\""
        headers[.contentLength] = String(bytes.count)
        if request.method == .head { return Response(status: .ok, headers: headers) }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    func storage(_ request: Request, _ context: BasicRequestContext, blobs: [String: [UInt8]], head: Bool) async throws -> Response {
        guard let bytes = blobs[try context.parameters.require("sha")] else { return Response(status: .notFound) }
        var start = 0
        var end = bytes.count - 1
        var status = HTTPResponse.Status.ok
        var headers: HTTPFields = [.acceptRanges: "bytes"]
        let range = request.headers[.range]
        if let range, range.hasPrefix("bytes="), let dash = range.firstIndex(of: "-") {
            let first = Int(range[range.index(range.startIndex, offsetBy: 6)..<dash]) ?? -1
            let last = Int(range[range.index(after: dash)...]) ?? (bytes.count - 1)
            guard first >= 0, first < bytes.count, last >= first else {
                headers[.contentRange] = "bytes */\(bytes.count)"
                return Response(status: .rangeNotSatisfiable, headers: headers)
            }
            start = first
            end = min(last, bytes.count - 1)
            status = .partialContent
            headers[.contentRange] = "bytes \(start)-\(end)/\(bytes.count)"
        }
        let length = end - start + 1
        headers[.contentLength] = String(length)
        if head { return Response(status: status, headers: headers) }
        var bytesToSend = Array(bytes[start...end])
        if await log.corrupt, !bytesToSend.isEmpty { bytesToSend[bytesToSend.count / 2] ^= 0xFF }
        let slice = bytesToSend
        let cut = await log.takeCut()
        await log.record(bytes: min(cut ?? length, length), range: range, authorized: request.headers[.authorization] != nil)
        let body = ResponseBody(contentLength: length) { writer in
            if let cut, cut < slice.count {
                try await writer.write(ByteBuffer(bytes: slice[0..<cut]))
                throw CancellationError()  // the connection drops mid-body
            }
            var offset = 0
            while offset < slice.count {  // several chunks, as a real server sends them
                let n = min(64 << 10, slice.count - offset)
                try await writer.write(ByteBuffer(bytes: slice[offset..<(offset + n)]))
                offset += n
            }
            try await writer.finish(nil)
        }
        return Response(status: status, headers: headers, body: body)
    }
}
