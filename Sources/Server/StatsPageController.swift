import Foundation
import Hummingbird
import Ledger
import StatsPage
import UsageStats

/// `GET /stats`: the public usage statistics as one server-rendered page (charts in
/// inline SVG, no script), in Kazakh, Russian or English, with everything needed to
/// verify the figures against the signed log served by ``StatsController``.
///
/// The figures are computed at the size of the checkpoint the page shows, so what the
/// page says and what `aqyl stats verify` checks are the same numbers.
struct StatsPageController: Sendable {
    let recorder: UsageRecorder
    /// This server's own URL, for the page's commands when a request names no usable host.
    let fallbackBaseURL: String

    func addRoutes(to router: Router<AqylRequestContext>) {
        // The router matches `/stats/` here too (it ignores a trailing slash).
        router.get("/stats") { request, _ in await page(for: request) }
    }

    func page(for request: Request, now: Date = Date()) async -> Response {
        let query = request.uri.queryParameters
        let language = StatsLanguage.negotiate(query: query.get("lang"),
                                               acceptLanguage: request.headers[.acceptLanguage])
        let today = UTCDay.number(Int(now.timeIntervalSince1970))
        let from = query.get("from"), to = query.get("to")
        let asked = StatsDateRange.parse(from: from, to: to, today: today)
        let range = asked ?? .recent(endingOn: today)

        recorder.closeFinishedDays(now: now)
        let checkpoint = try? await recorder.log.checkpoint()
        let size = checkpoint.flatMap(Self.size(of:)) ?? recorder.log.size
        let model = StatsPageModel(
            language: language, report: recorder.report(size: size, from: range.first, to: range.last), logSize: size,
            checkpoint: checkpoint, verifierKey: recorder.log.verifierKey,
            baseURL: Self.baseURL(of: request) ?? fallbackBaseURL, today: UTCDay.string(day: today),
            explicitRange: asked != nil && (from ?? "") + (to ?? "") != "", rangeRejected: asked == nil)
        return Self.htmlResponse(StatsPageView(model: model).html, language: language,
                                 status: asked == nil ? .badRequest : .ok)
    }

    /// The tree size a signed note commits to (its second line).
    static func size(of note: String) -> Int? {
        guard let body = note.components(separatedBy: "\n\n").first else { return nil }
        return try? Checkpoint(body: body + "\n").size
    }

    /// `scheme://host[:port]` from the request's authority (the `Host` header), when it
    /// looks like a host name; a proxy's `X-Forwarded-Proto: https` is believed.
    static func baseURL(of request: Request) -> String? {
        guard let host = request.head.authority, !host.isEmpty, host.count <= 255,
              host.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || ".-:[]".unicodeScalars.contains($0)) })
        else { return nil }
        let scheme = request.headers[forwardedProto]?.lowercased() == "https" ? "https" : "http"
        return "\(scheme)://\(host)"
    }

    static let forwardedProto = HTTPFields.Element.Name("X-Forwarded-Proto")!

    /// The page with the chat's security headers. Not cached: the figures move with every request.
    static func htmlResponse(_ html: String, language: StatsLanguage, status: HTTPResponse.Status) -> Response {
        var headers = HTTPFields()
        WebChatController.addPageSecurityHeaders(to: &headers)
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-cache"
        headers[.contentLanguage] = language.rawValue
        headers[.vary] = "Accept-Language"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }
}
