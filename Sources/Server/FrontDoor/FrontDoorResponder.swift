import HTTPTypes
import Hummingbird
import OpenAIAPI

/// The outermost responder: gives every request its canonical path before the router
/// sees it, and turns the router's bare "not found" into the OpenAI error object,
/// with 405 and `Allow` when the path exists under other methods.
///
/// It wraps the router rather than being a router middleware because Hummingbird
/// resolves the route *before* route middleware runs: only here can the path that
/// routing and authorization both see be fixed.
struct FrontDoorResponder: HTTPResponder {
    typealias Context = AqylRequestContext

    let router: RouterResponder<Context>
    /// Every registered route, for the `Allow` header of a 405.
    let routes: [(components: [RouterPath.Element], method: HTTPRequest.Method)]

    init(router: Router<Context>) {
        routes = router.routes.map { ($0.path.components, $0.method) }
        self.router = router.buildResponder()
    }

    func respond(to request: Request, context: Context) async throws -> Response {
        let raw = request.uri.path
        let path: String
        switch PathNormalizer.normalize(raw) {
        case let .success(normalized): path = normalized
        case let .failure(rejection):
            return errorResponse(.invalidRequest("The request path is refused: \(Self.describe(rejection)).", code: "invalid_path"))
        }
        var request = request
        if path != raw {
            var head = request.head
            head.path = path + (request.uri.query.map { "?" + $0 } ?? "")
            request = Request(head: head, body: request.body)
        }
        let response = try await router.respond(to: request, context: context)
        // The router's own 404 (no route for this path and method) becomes an API error.
        guard response.status == .notFound, context.endpointPath == "NotFound" else { return response }
        let allowed = allowedMethods(path)
        if allowed.isEmpty || allowed.contains(request.method) {
            return errorResponse(.notFound("route \(request.method.rawValue) \(path)"))
        }
        var refusal = errorResponse(APIError(
            status: 405, message: "Method \(request.method.rawValue) is not allowed on \(path); use \(allowed.map(\.rawValue).joined(separator: ", ")).",
            type: "invalid_request_error", code: "method_not_allowed"))
        refusal.headers[.allow] = allowed.map(\.rawValue).joined(separator: ", ")
        return refusal
    }

    /// Methods registered for a path (matching captures and wildcards as the router does).
    func allowedMethods(_ path: String) -> [HTTPRequest.Method] {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        var methods: [HTTPRequest.Method] = []
        for route in routes where Self.matches(route.components, parts) && !methods.contains(route.method) {
            methods.append(route.method)
        }
        return methods.sorted { $0.rawValue < $1.rawValue }
    }

    static func matches(_ pattern: [RouterPath.Element], _ parts: [Substring]) -> Bool {
        // A trailing `**` takes one or more components.
        if let last = pattern.last, last.description == "**" {
            guard parts.count >= pattern.count else { return false }
            return zip(pattern.dropLast(), parts).allSatisfy { element, part in element ~= part }
        }
        guard pattern.count == parts.count else { return false }
        return zip(pattern, parts).allSatisfy { element, part in element ~= part }
    }

    static func describe(_ rejection: PathNormalizer.Rejection) -> String {
        switch rejection {
        case .encodedSeparator: return "an encoded or backslash path separator"
        case .nul: return "a NUL byte"
        case .aboveRoot: return "'..' above the root"
        case .notAbsolute: return "it does not start with '/'"
        }
    }
}
