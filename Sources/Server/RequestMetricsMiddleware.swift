import Hummingbird

/// Counts every request in ``ServerMetrics`` by its matched route pattern, method
/// and status, and times it to the last byte of the response.
///
/// Added first, so it also sees requests the auth middleware refuses and 404s.
/// The count is taken when the response starts (a client that drops a stream is
/// still counted); the duration when its body has been written.
struct RequestMetricsMiddleware: RouterMiddleware {
    typealias Context = AqylRequestContext

    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let method = request.method.rawValue
        do {
            var response = try await next(request, context)
            let route = Self.route(context)
            metrics.recordRequest(route: route, method: method, status: Int(response.status.code))
            let metrics = metrics
            let body = response.body
            // Hummingbird's own post-write hook is package-internal; this is the same wrapper.
            response.body = ResponseBody(contentLength: body.contentLength) { writer in
                defer { metrics.observeRequestDuration(route: route, seconds: Self.seconds(since: start)) }
                try await body.write(writer)
            }
            return response
        } catch {
            // Thrown errors become responses further out (404 for unknown routes).
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            let route = Self.route(context)
            metrics.recordRequest(route: route, method: method, status: Int(status))
            metrics.observeRequestDuration(route: route, seconds: Self.seconds(since: start))
            throw error
        }
    }

    /// The router fills `endpointPath` with the pattern (`/v1/models`) before route
    /// middleware runs; requests no route matched have none (or "NotFound").
    static func route(_ context: Context) -> String {
        guard let path = context.endpointPath, path != "NotFound" else { return "unmatched" }
        return path
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        start.duration(to: .now).seconds
    }
}
