import Foundation
import Hummingbird
import OpenAIAPI
import Storage
import WebChat

/// The web chat: the page at `/`, its files at `/assets/{name}`, and the conversation
/// store at `/api` (see ``ConversationController``).
///
/// Assets come from the binary (``WebAssets``). Their names are not fingerprinted, so
/// browsers revalidate each time (`no-cache`) and get a 304 when the ETag still matches.
struct WebChatController: Sendable {
    let conversations: any ConversationRepository
    let bodyLimit: Int
    /// Issues browser identities: one for the page (loads without one), one for `/api` (needs one).
    let pageIdentity: WebIdentityMiddleware
    let apiIdentity: WebIdentityMiddleware
    let session: WebSessionController

    /// No inline script or style anywhere; only this origin; never framed.
    static let contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        + "connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'"

    func addRoutes(to router: Router<AqylRequestContext>) {
        router.group().add(middleware: pageIdentity).get("/") { request, _ in
            Self.response(for: "index.html", request: request)
        }
        router.get("/assets/{name}") { request, context in
            Self.response(for: context.parameters.get("name") ?? "", request: request)
        }
        session.addRoutes(to: router.group("api"))
        ConversationController(conversations: conversations, bodyLimit: bodyLimit)
            .addRoutes(to: router.group("api").add(middleware: apiIdentity))
    }

    /// The asset with its caching and security headers, a 304 when the browser's copy is
    /// current, or the OpenAI-style 404.
    static func response(for name: String, request: Request) -> Response {
        guard let asset = WebAssets.named(name) else { return errorResponse(.notFound("asset \(name)")) }
        var headers = HTTPFields()
        headers[.eTag] = asset.etag
        headers[.cacheControl] = "no-cache"
        headers[.xContentTypeOptions] = "nosniff"
        if asset.contentType.hasPrefix("text/html") { addPageSecurityHeaders(to: &headers) }
        if matches(ifNoneMatch: request.headers[values: .ifNoneMatch], etag: asset.etag) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = asset.contentType
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: asset.bytes)))
    }

    /// What every HTML page of ours carries (the chat and `/stats`): the CSP, no
    /// referrer to other sites, and no content sniffing.
    static func addPageSecurityHeaders(to headers: inout HTTPFields) {
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        headers[.referrerPolicy] = "no-referrer"
        headers[.xContentTypeOptions] = "nosniff"
    }

    /// RFC 9110 §13.1.2: a list of tags or `*`, compared weakly (a `W/` prefix is ignored).
    static func matches(ifNoneMatch values: [String], etag: String) -> Bool {
        for value in values {
            for tag in value.split(separator: ",") {
                var tag = tag.trimmingCharacters(in: .whitespaces)
                if tag == "*" { return true }
                if tag.hasPrefix("W/") { tag.removeFirst(2) }
                if tag == etag { return true }
            }
        }
        return false
    }
}

// (HTTPField itself is not re-exported by Hummingbird; reach it through HTTPFields.)
extension HTTPFields.Element.Name {
    static let referrerPolicy = Self("Referrer-Policy")!
}
