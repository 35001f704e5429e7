import Hummingbird

/// `GET /metrics`: the Prometheus scrape endpoint. Open without a key (scrapers
/// carry none); see ``APIKeyMiddleware``.
struct MetricsController: Sendable {
    let metrics: ServerMetrics
    /// The local models, for the model-server protocol gauges (``ModelServerGauges``).
    let models: [ServedModel]

    func addRoutes(to router: Router<AqylRequestContext>) {
        router.get("/metrics") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = ServerMetrics.contentType
            var body = ByteBuffer(bytes: metrics.exposition())
            body.writeString(ModelServerGauges(models: models).exposition())
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: body))
        }
    }
}
