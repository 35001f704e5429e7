import Foundation
import Hummingbird
import Ledger
import OpenAIAPI
import StatsPage
import UsageStats

/// The public, verifiable usage statistics: definitions, the signing key, the
/// latest checkpoint and its history, the entries, Merkle proofs, and the
/// figures computed over a given log size (so a verifier compares like with like).
struct StatsController: Sendable {
    let recorder: UsageRecorder
    /// Cosignatures for the checkpoint (none without `--witness`).
    let witnesses: WitnessPool

    /// Entries served per `/stats/entries` page.
    static let pageLimit = 10_000

    func addRoutes(to router: Router<AqylRequestContext>) {
        router.get("/stats/definitions") { _, _ in
            jsonResponse(DefinitionsDocument(version: Definitions.version, suppressionThreshold: Definitions.suppressionThreshold,
                                             humanRequestsPerMinute: Definitions.humanRequestsPerMinute, texts: Definitions.texts))
        }
        router.get("/stats/key") { _, _ in textResponse(recorder.log.verifierKey + "\n") }
        router.get("/stats/checkpoint") { _, _ in
            recorder.closeFinishedDays()
            let note: String
            do { note = try await recorder.log.checkpoint() } catch { return errorResponse(APIError.internal("\(error)")) }
            return textResponse(await witnesses.cosigned(note))
        }
        router.get("/stats/checkpoints") { _, _ in jsonResponse(recorder.log.checkpointHistory) }
        router.get("/stats/entries") { request, _ in
            respond { () throws(APIError) in
                let size = recorder.log.size
                let start = try Self.int(request, "start") ?? 0
                // start ≤ size first, so start + pageLimit cannot overflow.
                guard start <= size else { throw APIError.invalidValue("start", "need 0 ≤ start ≤ end ≤ \(size)") }
                let end = min(try Self.int(request, "end") ?? size, size, start + Self.pageLimit)
                guard start <= end else { throw APIError.invalidValue("start", "need 0 ≤ start ≤ end ≤ \(size)") }
                let entries = recorder.log.entries(in: start..<end).map { Data($0).base64EncodedString() }
                return jsonResponse(EntriesPage(start: start, size: size, entries: entries))
            }
        }
        router.get("/stats/proof/inclusion") { request, _ in
            respond { () throws(APIError) in
                guard let index = try Self.int(request, "index"), let size = try Self.int(request, "size"),
                      let proof = recorder.log.inclusionProof(index: index, size: size)
                else { throw APIError.invalidRequest("need 0 ≤ index < size ≤ \(recorder.log.size)") }
                return jsonResponse(ProofDocument(proof: proof.map { Data($0).base64EncodedString() }))
            }
        }
        router.get("/stats/proof/consistency") { request, _ in
            respond { () throws(APIError) in
                guard let old = try Self.int(request, "old"), let new = try Self.int(request, "new"),
                      let proof = recorder.log.consistencyProof(old: old, new: new)
                else { throw APIError.invalidRequest("need 0 ≤ old ≤ new ≤ \(recorder.log.size)") }
                return jsonResponse(ProofDocument(proof: proof.map { Data($0).base64EncodedString() }))
            }
        }
        // C2SP tlog-tiles under /stats/: hash tiles and entry bundles, immutable once they exist.
        router.get("/stats/tile/**") { _, context in
            guard let tile = Tile(components: context.parameters.getCatchAll()) else {
                return errorResponse(.notFound("tile (paths are tile/<L>/<N>[.p/<W>] or tile/entries/<N>[.p/<W>])"))
            }
            guard let bytes = recorder.log.tile(tile) else { return errorResponse(.notFound("\(tile.path): not in the log yet")) }
            var headers = HTTPFields()
            headers[.contentType] = "application/octet-stream"
            // Full and partial tiles alike never change: a partial tile of width W is
            // determined by the first entries only.
            headers[.cacheControl] = "public, max-age=31536000, immutable"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        router.get("/stats/figures") { request, _ in
            respond { () throws(APIError) in
                let size = min(try Self.int(request, "size") ?? recorder.log.size, recorder.log.size)
                let from = try Self.day(request, "from"), to = try Self.day(request, "to")
                let (first, last) = recorder.range(size: size, from: from, to: to)
                guard first <= last else { throw APIError.invalidValue("from", "'from' must not be after 'to'.") }
                let days = last - first + 1
                guard days <= StatsDateRange.maximumDays else {
                    throw APIError.invalidValue("from", "A report covers at most \(StatsDateRange.maximumDays) days; this range has \(days). "
                                                + "Ask for it in parts.")
                }
                return jsonResponse(recorder.report(size: size, from: first, to: last))
            }
        }
    }

    static func int(_ request: Request, _ name: String) throws(APIError) -> Int? {
        guard let raw = request.uri.queryParameters.get(name) else { return nil }
        guard let value = Int(raw), value >= 0 else { throw APIError.invalidValue(name, "'\(name)' must be a non-negative integer") }
        return value
    }

    static func day(_ request: Request, _ name: String) throws(APIError) -> Int? {
        guard let raw = request.uri.queryParameters.get(name) else { return nil }
        guard let day = UTCDay.day(of: String(raw)) else {
            throw APIError.invalidValue(name, "'\(name)' must be a real date written YYYY-MM-DD, got '\(raw.prefix(40))'.")
        }
        return day
    }
}

struct DefinitionsDocument: Encodable {
    var version: String
    var suppressionThreshold: Int
    var humanRequestsPerMinute: Int
    var texts: [String: [String: String]]

    enum CodingKeys: String, CodingKey {
        case version, texts
        case suppressionThreshold = "suppression_threshold"
        case humanRequestsPerMinute = "human_requests_per_minute"
    }
}

/// A page of entries, each the exact bytes (base64) whose leaf hash is in the tree.
struct EntriesPage: Codable {
    var start: Int
    var size: Int
    var entries: [String]
}

struct ProofDocument: Codable {
    var proof: [String]
}

func textResponse(_ text: String, contentType: String = "text/plain; charset=utf-8") -> Response {
    var headers = HTTPFields()
    headers[.contentType] = contentType
    return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
}
