import Engine
import Prometheus

/// The server's Prometheus metrics, served at `GET /metrics`.
///
/// Wraps its own `PrometheusCollectorRegistry` instead of bootstrapping the global
/// swift-metrics system: that can be bootstrapped once per process, and tests
/// build many applications in one process. Every method is cheap (a locked
/// dictionary lookup, then an atomic update) and safe from any thread, so the
/// request path and the scheduler can call them freely.
///
/// Metric names follow Prometheus conventions (`_total` counters, `_seconds` units);
/// the label sets are fixed here so dashboards can rely on them.
public final class ServerMetrics: Sendable {
    let registry: PrometheusCollectorRegistry

    public init() {
        registry = PrometheusCollectorRegistry()
    }

    // MARK: HTTP

    /// One finished request. `route` is the matched route pattern (never a raw path
    /// with ids in it, which would make the label set unbounded) or `"unmatched"`.
    public func recordRequest(route: String, method: String, status: Int) {
        registry.makeCounter(descriptor: Self.requests, labels: [("route", route), ("method", method), ("status", String(status))])
            .increment()
    }

    /// Time from the request to the last byte of its response.
    public func observeRequestDuration(route: String, seconds: Double) {
        registry.makeValueHistogram(descriptor: Self.requestDuration, labels: [("route", route)], buckets: Self.requestDurationBuckets)
            .record(seconds)
    }

    // MARK: Tokens and latency

    public func addPromptTokens(model: String, _ n: Int) {
        registry.makeCounter(descriptor: Self.promptTokens, labels: [("model", model)]).increment(by: Int64(n))
    }

    public func addGeneratedTokens(model: String, _ n: Int) {
        registry.makeCounter(descriptor: Self.generatedTokens, labels: [("model", model)]).increment(by: Int64(n))
    }

    /// From the request's arrival to its first generated token (queueing and prefill included).
    public func observeTimeToFirstToken(model: String, seconds: Double) {
        registry.makeValueHistogram(descriptor: Self.timeToFirstToken, labels: [("model", model)], buckets: Self.timeToFirstTokenBuckets)
            .record(seconds)
    }

    /// Between consecutive generated tokens of one sequence.
    public func observeInterTokenLatency(model: String, seconds: Double) {
        registry.makeValueHistogram(descriptor: Self.interTokenLatency, labels: [("model", model)], buckets: Self.interTokenLatencyBuckets)
            .record(seconds)
    }

    // MARK: Scheduler state

    /// Requests waiting for a sequence slot.
    public func setQueueDepth(model: String, _ n: Int) {
        registry.makeGauge(descriptor: Self.queueDepth, labels: [("model", model)]).set(Double(n))
    }

    /// Sequences being decoded right now.
    public func setActiveSequences(model: String, _ n: Int) {
        registry.makeGauge(descriptor: Self.activeSequences, labels: [("model", model)]).set(Double(n))
    }

    // MARK: Exposition

    /// The Prometheus text exposition format (version 0.0.4).
    public func exposition() -> [UInt8] {
        registry.emitToBuffer()
    }

    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    // MARK: Names, help texts and buckets
    // In one place: the registry crashes on a name registered twice with different help or buckets.
    // Descriptors are computed because swift-prometheus does not mark them Sendable.

    static var requests: MetricNameDescriptor { descriptor("aqyl_http_requests_total", "HTTP requests by matched route, method and status.") }
    static var requestDuration: MetricNameDescriptor { descriptor("aqyl_http_request_duration_seconds", "Time from request to the last byte of the response.") }
    static var promptTokens: MetricNameDescriptor { descriptor("aqyl_prompt_tokens_total", "Prompt tokens processed.") }
    static var generatedTokens: MetricNameDescriptor { descriptor("aqyl_generated_tokens_total", "Tokens generated.") }
    static var timeToFirstToken: MetricNameDescriptor { descriptor("aqyl_time_to_first_token_seconds", "Time from request arrival to the first generated token.") }
    static var interTokenLatency: MetricNameDescriptor { descriptor("aqyl_inter_token_latency_seconds", "Time between consecutive generated tokens of a sequence.") }
    static var queueDepth: MetricNameDescriptor { descriptor("aqyl_queue_depth", "Requests waiting for a free sequence slot.") }
    static var activeSequences: MetricNameDescriptor { descriptor("aqyl_active_sequences", "Sequences being decoded.") }

    /// 10 ms (a warm short prompt) to 60 s (a long prompt behind a full queue).
    static let timeToFirstTokenBuckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60]
    /// 1 ms (a small model on a fast machine) to 2 s (a large model on few cores).
    static let interTokenLatencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2]
    /// Health checks take milliseconds; a long generation minutes.
    static let requestDurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300]

    private static func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
}

extension ServerMetrics {
    /// The scheduler's hooks for one model, feeding the token, latency and queue series.
    func schedulerObserver(model: String) -> SchedulerObserver {
        var o = SchedulerObserver()
        o.queueDepth = { [self] in setQueueDepth(model: model, $0) }
        o.activeSequences = { [self] in setActiveSequences(model: model, $0) }
        o.promptTokens = { [self] in addPromptTokens(model: model, $0) }
        o.generatedTokens = { [self] in addGeneratedTokens(model: model, $0) }
        o.firstToken = { [self] in observeTimeToFirstToken(model: model, seconds: $0) }
        o.interToken = { [self] in observeInterTokenLatency(model: model, seconds: $0) }
        return o
    }
}
