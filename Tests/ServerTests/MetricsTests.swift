import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Server

/// `/metrics`: Prometheus text format, with the request counters and the series the scheduler feeds.
@Suite struct MetricsTests {
    /// One sample line: `name{label="value",...} number`.
    struct Sample: Equatable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    /// Parses the text exposition format strictly enough to catch malformed output:
    /// every line is a comment (`# HELP`/`# TYPE`) or a sample.
    static func parse(_ text: String) throws -> [Sample] {
        let sampleLine = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? ([-+]?(?:[0-9.eE+-]+|Inf|NaN))$/
        let labelPair = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/
        var samples: [Sample] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("# HELP ") || line.hasPrefix("# TYPE ") { continue }
            let match = try #require(try sampleLine.wholeMatch(in: String(line)), "not a sample line: \(line)")
            var labels: [String: String] = [:]
            if let body = match.output.2 {
                let pairs = body.matches(of: labelPair)
                #expect(pairs.map { String($0.output.0) }.joined(separator: ",") == String(body), "bad labels: \(body)")
                for pair in pairs { labels[String(pair.output.1)] = String(pair.output.2) }
            }
            let value = try #require(Double(String(match.output.3).replacingOccurrences(of: "Inf", with: "inf")))
            samples.append(Sample(name: String(match.output.1), labels: labels, value: value))
        }
        return samples
    }

    static func value(_ samples: [Sample], _ name: String, _ labels: [String: String]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }

    @Test func requestsAreCountedByRoutePattern() async throws {
        try await TestServer.app().test(.router) { client in
            for _ in 0..<3 { try await client.execute(uri: "/health", method: .get) { _ in } }
            try await client.execute(uri: "/v1/models", method: .get) { _ in }
            try await client.execute(uri: "/no/such/thing", method: .get) { #expect($0.status == .notFound) }
            let chat = ByteBuffer(string: #"{"model":"tiny","messages":[{"role":"user","content":"hi"}],"max_tokens":2}"#)
            try await client.execute(uri: "/v1/chat/completions", method: .post, body: chat) { #expect($0.status == .ok) }
            try await client.execute(uri: "/v1/chat/completions", method: .post, body: ByteBuffer(string: "{")) { _ in }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
                let samples = try Self.parse(String(buffer: response.body))
                let total = "aqyl_http_requests_total"
                #expect(Self.value(samples, total, ["route": "/health", "method": "GET", "status": "200"]) == 3)
                #expect(Self.value(samples, total, ["route": "/v1/models", "method": "GET", "status": "200"]) == 1)
                #expect(Self.value(samples, total, ["route": "unmatched", "method": "GET", "status": "404"]) == 1)
                #expect(Self.value(samples, total, ["route": "/v1/chat/completions", "method": "POST", "status": "200"]) == 1)
                #expect(Self.value(samples, total, ["route": "/v1/chat/completions", "method": "POST", "status": "400"]) == 1)
                // Raw paths never become labels.
                #expect(!samples.contains { $0.labels["route"] == "/no/such/thing" })
                #expect(Self.value(samples, "aqyl_http_request_duration_seconds_count", ["route": "/health"]) == 3)
            }
        }
    }

    @Test func schedulerSeriesAreExposed() throws {
        let metrics = ServerMetrics()
        metrics.addPromptTokens(model: "m", 12)
        metrics.addPromptTokens(model: "m", 3)
        metrics.addGeneratedTokens(model: "m", 7)
        metrics.observeTimeToFirstToken(model: "m", seconds: 0.2)
        metrics.observeInterTokenLatency(model: "m", seconds: 0.004)
        metrics.observeInterTokenLatency(model: "m", seconds: 0.03)
        metrics.setQueueDepth(model: "m", 5)
        metrics.setQueueDepth(model: "m", 2)
        metrics.setActiveSequences(model: "m", 4)
        let text = String(decoding: metrics.exposition(), as: UTF8.self)
        let samples = try Self.parse(text)
        let m = ["model": "m"]
        #expect(Self.value(samples, "aqyl_prompt_tokens_total", m) == 15)
        #expect(Self.value(samples, "aqyl_generated_tokens_total", m) == 7)
        #expect(Self.value(samples, "aqyl_queue_depth", m) == 2)
        #expect(Self.value(samples, "aqyl_active_sequences", m) == 4)
        #expect(Self.value(samples, "aqyl_time_to_first_token_seconds_count", m) == 1)
        #expect(Self.value(samples, "aqyl_time_to_first_token_seconds_bucket", ["model": "m", "le": "0.1"]) == 0)
        #expect(Self.value(samples, "aqyl_time_to_first_token_seconds_bucket", ["model": "m", "le": "0.25"]) == 1)
        #expect(Self.value(samples, "aqyl_time_to_first_token_seconds_bucket", ["model": "m", "le": "60.0"]) == 1)
        #expect(Self.value(samples, "aqyl_inter_token_latency_seconds_bucket", ["model": "m", "le": "0.005"]) == 1)
        #expect(Self.value(samples, "aqyl_inter_token_latency_seconds_count", m) == 2)
        #expect(text.contains("# TYPE aqyl_time_to_first_token_seconds histogram"))
        #expect(text.contains("# TYPE aqyl_queue_depth gauge"))
        #expect(text.contains("# TYPE aqyl_prompt_tokens_total counter"))
    }
}

@Suite struct SchedulerMetricsTests {
    @Test func tokensLatencyAndQueueSeriesAreFed() async throws {
        try await TestServer.app().test(.router) { client in
            let chat = #"{"model":"tiny","messages":[{"role":"user","content":"hi"}],"max_tokens":4,"temperature":0}"#
            try await client.execute(uri: "/v1/chat/completions", method: .post, body: ByteBuffer(string: chat)) { #expect($0.status == .ok) }
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                let lines = text.split(separator: "\n").map(String.init)
                func value(_ prefix: String) -> Double? {
                    lines.first { $0.hasPrefix(prefix) }.flatMap { Double($0.split(separator: " ").last ?? "") }
                }
                #expect(value(#"aqyl_generated_tokens_total{model="tiny"}"#) == 4)
                #expect((value(#"aqyl_prompt_tokens_total{model="tiny"}"#) ?? 0) > 0)
                #expect(value(#"aqyl_time_to_first_token_seconds_count{model="tiny"}"#) == 1)
                #expect(value(#"aqyl_inter_token_latency_seconds_count{model="tiny"}"#) == 3)
                #expect(value(#"aqyl_active_sequences{model="tiny"}"#) == 0)
                #expect(value(#"aqyl_queue_depth{model="tiny"}"#) == 0)
            }
        }
    }
}

/// The Gateway API Inference Extension's model-server protocol gauges, under vLLM's names.
@Suite struct ModelServerProtocolTests {
    @Test func theProtocolGaugesAreExposedPerModel() async throws {
        try await TestServer.app().test(.router) { client in
            let chat = #"{"model":"tiny","messages":[{"role":"user","content":"hi"}],"max_tokens":2,"temperature":0}"#
            try await client.execute(uri: "/v1/chat/completions", method: .post, body: ByteBuffer(string: chat)) { #expect($0.status == .ok) }
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                // Strictly parsed: a malformed line fails here.
                let samples = try MetricsTests.parse(text)
                let model = ["model_name": "tiny"]
                #expect(MetricsTests.value(samples, "vllm:num_requests_waiting", model) == 0)
                #expect(MetricsTests.value(samples, "vllm:num_requests_running", model) == 0)
                #expect(MetricsTests.value(samples, "vllm:kv_cache_usage_perc", model) == 0)
                #expect(MetricsTests.value(samples, "vllm:gpu_cache_usage_perc", model) == 0)
                let info = try #require(samples.first { $0.name == "vllm:lora_requests_info" })
                #expect(info.labels == ["model_name": "tiny", "max_lora": "0", "running_lora_adapters": "", "waiting_lora_adapters": ""])
                #expect(abs(info.value - Date().timeIntervalSince1970) < 60, "the value is the time of the report")
                for name in ["vllm:num_requests_waiting", "vllm:num_requests_running", "vllm:kv_cache_usage_perc", "vllm:lora_requests_info"] {
                    #expect(text.contains("# TYPE \(name) gauge"), "\(name) is a gauge")
                }
            }
        }
    }

    @Test func labelValuesAreEscaped() {
        #expect(ModelServerGauges.escape(#"a"b\c"# + "\n") == #"a\"b\\c\n"#)
    }
}
