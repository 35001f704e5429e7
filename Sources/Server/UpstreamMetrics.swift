import Prometheus

/// The upstream pools' series on `/metrics`, one per pool and member (the member is its
/// configured base URL, so the label set stays bounded):
///
/// - `aqyl_upstream_up` (gauge): 1 while the member is in rotation, 0 while ejected;
/// - `aqyl_upstream_in_flight` (gauge): attempts open on the member;
/// - `aqyl_upstream_requests_total`, `aqyl_upstream_errors_total{kind}`,
///   `aqyl_upstream_ejections_total` (counters);
/// - `aqyl_upstream_time_to_first_byte_seconds`, `aqyl_upstream_request_duration_seconds`
///   (histograms, per attempt);
/// - `aqyl_upstream_retries_total{pool}`, `aqyl_upstream_fallbacks_total{pool}`.
///
/// Forwarded tokens also count in `aqyl_prompt_tokens_total` and `aqyl_generated_tokens_total`
/// under the pool's name, like a local model's.
struct UpstreamMetrics: Sendable {
    let server: ServerMetrics
    var registry: PrometheusCollectorRegistry { server.registry }

    private func labels(_ pool: String, _ member: String) -> [(String, String)] { [("pool", pool), ("member", member)] }

    func setUp(pool: String, member: String, _ up: Bool) {
        registry.makeGauge(descriptor: Self.up, labels: labels(pool, member)).set(Double(up ? 1 : 0))
    }

    func setInFlight(pool: String, member: String, _ n: Int) {
        registry.makeGauge(descriptor: Self.inFlight, labels: labels(pool, member)).set(Double(n))
    }

    func countRequest(pool: String, member: String) {
        registry.makeCounter(descriptor: Self.requests, labels: labels(pool, member)).increment()
    }

    func countError(pool: String, member: String, kind: UpstreamFailureKind) {
        registry.makeCounter(descriptor: Self.errors, labels: labels(pool, member) + [("kind", kind.rawValue)]).increment()
    }

    func countEjection(pool: String, member: String) {
        registry.makeCounter(descriptor: Self.ejections, labels: labels(pool, member)).increment()
    }

    func observeFirstByte(pool: String, member: String, seconds: Double) {
        registry.makeValueHistogram(descriptor: Self.firstByte, labels: labels(pool, member), buckets: Self.latencyBuckets)
            .record(seconds)
    }

    func observeDuration(pool: String, member: String, seconds: Double) {
        registry.makeValueHistogram(descriptor: Self.duration, labels: labels(pool, member),
                                    buckets: ServerMetrics.requestDurationBuckets).record(seconds)
    }

    func countRetry(pool: String) {
        registry.makeCounter(descriptor: Self.retries, labels: [("pool", pool)]).increment()
    }

    func countFallback(pool: String) {
        registry.makeCounter(descriptor: Self.fallbacks, labels: [("pool", pool)]).increment()
    }

    /// 5 ms (a warm gateway hop) to 60 s (a long prompt on a busy GPU).
    static let latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

    static var up: MetricNameDescriptor { d("aqyl_upstream_up", "1 while the upstream member is in rotation, 0 while ejected.") }
    static var inFlight: MetricNameDescriptor { d("aqyl_upstream_in_flight", "Requests open on the upstream member.") }
    static var requests: MetricNameDescriptor { d("aqyl_upstream_requests_total", "Attempts sent to the upstream member.") }
    static var errors: MetricNameDescriptor { d("aqyl_upstream_errors_total", "Failed attempts on the upstream member, by kind.") }
    static var ejections: MetricNameDescriptor { d("aqyl_upstream_ejections_total", "Times the upstream member was taken out of rotation.") }
    static var firstByte: MetricNameDescriptor { d("aqyl_upstream_time_to_first_byte_seconds", "From sending an attempt to the member's first response byte (a stream's first chunk).") }
    static var duration: MetricNameDescriptor { d("aqyl_upstream_request_duration_seconds", "From sending an attempt to the end of the member's response.") }
    static var retries: MetricNameDescriptor { d("aqyl_upstream_retries_total", "Attempts retried on another member of the pool.") }
    static var fallbacks: MetricNameDescriptor { d("aqyl_upstream_fallbacks_total", "Requests served by the pool's local fallback model.") }

    private static func d(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
}
