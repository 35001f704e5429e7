import Hummingbird

/// `GET /metrics`: the Prometheus scrape endpoint. Open without a key (scrapers
/// carry none); see ``APIKeyMiddleware``.
struct MetricsController: Sendable {
    let metrics: ServerMetrics

    func addRoutes(to router: Router<AqylRequestContext>) {
        router.get("/metrics") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = ServerMetrics.contentType
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
        }
    }
}
