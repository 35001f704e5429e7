import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1
import OpenAIAPI
import Synchronization

/// A model served by a pool of OpenAI-compatible servers (vLLM, llama-server, another aqyl).
///
/// Each request goes to the healthy member with the fewest requests in flight for its
/// weight (ties at random). An attempt that fails before anything reached the client —
/// refused or broken connection, 5xx, 429, a stream silent past its first-byte timeout,
/// an answer that is not the protocol — is tried again on another member, up to
/// `maxAttempts` and within the retry budget. Once a stream's first byte is on its way
/// to the client it is never retried: a failure then ends the stream with an SSE error
/// event. When every member is down the pool's `--fallback` model answers, if it has one.
final class UpstreamPool: Sendable {
    let name: String
    let members: [UpstreamMember]
    /// The local model that answers while every member is down.
    let fallback: String?
    let settings: UpstreamSettings
    let client: HTTPClient
    let metrics: UpstreamMetrics
    let budget: UpstreamRetryBudget
    /// When this server started serving it (for `/v1/models`).
    let created: Int

    /// Response headers worth passing on; hop-by-hop and length headers are the server's own business.
    static let passedHeaders = ["content-type", "cache-control", "retry-after", "x-request-id", "openai-processing-ms"]
    /// Answers read whole (non-streamed completions) beyond this fail the attempt.
    static let wholeAnswerLimit = 64 << 20
    /// Error answers are read up to this.
    static let errorBodyLimit = 256 << 10

    init(name: String, members: [UpstreamModelSpec], fallback: String?, settings: UpstreamSettings,
         client: HTTPClient, metrics: UpstreamMetrics, created: Int) {
        self.name = name
        self.members = members.map {
            UpstreamMember(spec: $0, ejectAfter: settings.ejectAfter, readmitAfter: settings.readmitAfter, metrics: metrics)
        }
        self.fallback = fallback
        self.settings = settings
        self.client = client
        self.metrics = metrics
        budget = UpstreamRetryBudget(ratio: settings.retryBudgetRatio, perSecond: settings.retryBudgetPerSecond,
                                     capacity: 10 * settings.retryBudgetPerSecond)
        self.created = created
    }

    var modelObject: ModelObject { ModelObject(id: name, created: created, ownedBy: "upstream") }

    var health: PoolHealth {
        let list = members.map(\.health)
        return PoolHealth(members: list, healthy: list.filter { $0.state == .healthy }.count, fallback: fallback)
    }

    /// One client request, ready to send: `body` already names the remote model (and asks
    /// a stream for its usage).
    struct Forwarded: Sendable {
        var endpoint: String
        var body: ByteBuffer
        var streaming: Bool
        var accept: String?
        var relay: UpstreamRelay
    }

    enum Outcome: Sendable {
        case response(Response)
        /// Every member is down: the local model of this id should answer.
        case fallback(String)
    }

    // MARK: Choosing a member

    /// The healthy member not yet tried with the fewest requests in flight for its weight.
    func pick(excluding tried: Set<Int>) -> (Int, UpstreamMember)? {
        var best: [Int] = []
        var bestScore = Double.infinity
        for (i, member) in members.enumerated() where !tried.contains(i) && member.isHealthy {
            let score = Double(member.inFlight + 1) / Double(member.spec.weight)
            if score < bestScore {
                (best, bestScore) = ([i], score)
            } else if score == bestScore {
                best.append(i)
            }
        }
        return best.randomElement().map { ($0, members[$0]) }
    }

    // MARK: Forwarding

    func forward(_ request: Forwarded) async -> Outcome {
        let deadline = ContinuousClock.now + settings.totalTimeout
        budget.deposit()
        var tried = Set<Int>()
        var failures: [Failure] = []
        var staleRetried = false
        while tried.count < max(1, settings.maxAttempts), ContinuousClock.now < deadline,
              let (index, member) = pick(excluding: tried) {
            if !tried.isEmpty {
                guard budget.withdraw() else { break }
                metrics.countRetry(pool: name)
            }
            tried.insert(index)
            var result = await attempt(member, request, deadline: deadline, staleAllowed: !staleRetried)
            if case .stale = result {
                // A kept-alive connection the member had just closed: once more, on a fresh one.
                staleRetried = true
                result = await attempt(member, request, deadline: deadline, staleAllowed: false)
            }
            switch result {
            case let .answered(response): return .response(response)
            case let .failed(failure): failures.append(failure)
            case .stale: break // not returned when not allowed
            }
        }
        // Nothing answered: a rate limit goes back as it came, a dead pool to the fallback.
        if let limited = failures.last(where: { $0.kind == .rateLimited }) {
            await request.relay.account.finish(completionTokens: 0, responded: false)
            return .response(limited.response(pool: name))
        }
        if let fallback, members.allSatisfy({ !$0.isHealthy }) || (!failures.isEmpty && tried.count == failures.count) {
            metrics.countFallback(pool: name)
            return .fallback(fallback)
        }
        await request.relay.account.finish(completionTokens: 0, responded: false)
        guard let last = failures.last else {
            let retry = max(1, Int(settings.healthInterval.components.seconds))
            return .response(errorResponse(.upstreamUnavailable(name, retryAfterSeconds: retry)))
        }
        return .response(last.response(pool: name))
    }

    /// Why an attempt did not answer the client, and what to say if it was the last.
    struct Failure: Sendable {
        var kind: UpstreamFailureKind
        var detail: String
        /// The upstream's own answer (5xx, 429), passed on if no other member answers.
        var status: Int?
        var headers = HTTPFields()
        var body: ByteBuffer?

        func response(pool: String) -> Response {
            if let status, let body {
                return Response(status: HTTPResponse.Status(code: status), headers: headers, body: ResponseBody(byteBuffer: body))
            }
            if kind == .timeout {
                return errorResponse(.gatewayTimeout("The upstream server for model `\(pool)` did not answer in time (\(detail))."))
            }
            return errorResponse(.badGateway("The upstream server for model `\(pool)` failed: \(detail)"))
        }
    }

    enum AttemptResult: Sendable {
        case answered(Response)
        case failed(Failure)
        /// The request went out on a pooled connection the member had already closed: the
        /// member did not fail, the connection was old (servers close idle keep-alives).
        case stale
    }

    private func attempt(_ member: UpstreamMember, _ request: Forwarded, deadline: ContinuousClock.Instant,
                         staleAllowed: Bool) async -> AttemptResult {
        let lease = UpstreamLease(member: member, metrics: metrics)
        var http = HTTPClientRequest(url: member.spec.baseURL + "/" + request.endpoint)
        http.method = .POST
        http.headers.add(name: "content-type", value: "application/json")
        if let accept = request.accept { http.headers.add(name: "accept", value: accept) }
        if let key = member.spec.apiKey { http.headers.add(name: "authorization", value: "Bearer \(key)") }
        http.body = .bytes(request.body)
        let exchange = UpstreamExchange(client: client, request: http, streaming: request.streaming, settings: settings,
                                        deadline: deadline)
        func fail(_ kind: UpstreamFailureKind, _ detail: String) -> AttemptResult {
            exchange.cancel()
            lease.failed(kind, detail: detail)
            return .failed(Failure(kind: kind, detail: detail))
        }
        let status: Int, upstreamHeaders: HTTPHeaders
        do {
            guard case let .head(s, h)? = try await exchange.next() else { return fail(.broken, "no response") }
            (status, upstreamHeaders) = (s, h)
        } catch {
            if staleAllowed, Self.isStaleConnection(error) {
                exchange.cancel()
                lease.end()
                return .stale
            }
            let (kind, detail) = Self.classify(error, committed: false)
            return fail(kind, detail)
        }
        var headers = HTTPFields()
        for field in Self.passedHeaders {
            if let value = upstreamHeaders.first(name: field), let name = HTTPField.Name(field) { headers[name] = value }
        }
        switch status {
        case 200..<300:
            if request.streaming {
                guard headers[.contentType]?.hasPrefix("text/event-stream") == true else {
                    return fail(.malformed, "answered a stream request with `\(headers[.contentType] ?? "no content type")`")
                }
                var first: ByteBuffer?
                do {
                    while first == nil, let piece = try await exchange.next() {
                        if case let .body(chunk) = piece, chunk.readableBytes > 0 { first = chunk }
                    }
                } catch {
                    let (kind, detail) = Self.classify(error, committed: false)
                    return fail(kind, detail)
                }
                guard let first else { return fail(.malformed, "ended the stream before sending anything") }
                lease.firstByte()
                return .answered(stream(first: first, exchange: exchange, lease: lease, relay: request.relay, headers: headers))
            }
            lease.firstByte()
            let body: ByteBuffer
            do { body = try await exchange.collectBody(limit: Self.wholeAnswerLimit) } catch {
                let (kind, detail) = Self.classify(error, committed: false)
                return fail(kind, detail)
            }
            guard let response = await request.relay.whole(body, headers: headers) else {
                return fail(.malformed, "answered with something that is not a JSON object")
            }
            lease.succeeded()
            return .answered(response)
        default:
            lease.firstByte()
            let body = (try? await exchange.collectBody(limit: Self.errorBodyLimit)) ?? ByteBuffer()
            if status == 429 {
                lease.rateLimited()
                return .failed(Failure(kind: .rateLimited, detail: "429", status: status, headers: headers, body: body))
            }
            if status >= 500 {
                lease.failed(.status5xx, detail: "answered \(status)")
                return .failed(Failure(kind: .status5xx, detail: "answered \(status)", status: status, headers: headers, body: body))
            }
            // The upstream judged the request itself (400, 404, ...): its answer is the client's.
            lease.succeeded()
            return .answered(Response(status: HTTPResponse.Status(code: status), headers: headers, body: ResponseBody(byteBuffer: body)))
        }
    }

    /// Relays a stream whose first chunk has arrived. Never retried from here on: failures
    /// end it with an SSE error event and the end marker.
    private func stream(first: ByteBuffer, exchange: UpstreamExchange, lease: UpstreamLease, relay: UpstreamRelay,
                        headers: HTTPFields) -> Response {
        let pool = name
        var headers = headers
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            var state = UpstreamRelay.StreamState(relay: relay)
            var recorded = false
            defer {
                exchange.cancel()
                lease.end()
                if !recorded {
                    // The client went away: still counted, in the background.
                    let (tokens, pieces) = (state.tokens, state.pieces)
                    Task { await relay.record(tokens, generatedPieces: pieces, responded: pieces > 0) }
                }
            }
            var failure: (UpstreamFailureKind, String)?
            var chunk: ByteBuffer? = first
            while let current = chunk {
                let out: ByteBuffer
                do { out = try state.feed(current) } catch {
                    failure = (.malformed, "\(error)")
                    break
                }
                if out.readableBytes > 0 { try await writer.write(out) }
                do {
                    chunk = nil
                    while chunk == nil, let piece = try await exchange.next() {
                        if case let .body(next) = piece { chunk = next }
                    }
                } catch {
                    failure = Self.classify(error, committed: true)
                    break
                }
            }
            if failure == nil, !state.sawDone { failure = (.broken, "the stream ended without [DONE]") }
            if let (kind, detail) = failure {
                lease.failed(kind, detail: detail)
                let message = "The upstream server for model `\(pool)` broke off the stream: \(detail)"
                let error: APIError = kind == .timeout ? .gatewayTimeout(message) : .badGateway(message)
                try await writer.write(ByteBuffer(string: ServerSentEvents.error(error)))
            } else {
                lease.succeeded()
            }
            recorded = true
            await relay.record(state.tokens, generatedPieces: state.pieces, responded: state.pieces > 0 || failure == nil)
            try await writer.write(ByteBuffer(string: ServerSentEvents.done))
            try await writer.finish(nil)
        })
    }

    /// Errors of a connection that was closed under a request before any answer: what a
    /// kept-alive connection the server has just closed produces.
    static func isStaleConnection(_ error: any Error) -> Bool {
        if let error = error as? ChannelError, case .ioOnClosedChannel = error { return true }
        if let error = error as? HTTPClientError, error == .remoteConnectionClosed { return true }
        if let error = error as? IOError, [ECONNRESET, EPIPE].contains(error.errnoCode) { return true }
        return false
    }

    /// The failure kind and a short description of an error from the HTTP client or the exchange.
    static func classify(_ error: any Error, committed: Bool) -> (UpstreamFailureKind, String) {
        if let timeout = error as? UpstreamTimeout { return (.timeout, timeout.description) }
        if let error = error as? HTTPClientError {
            if error == .connectTimeout { return (.timeout, "the connection was not accepted in time") }
            if error == .remoteConnectionClosed { return (.broken, "the connection was closed") }
        }
        if let error = error as? ChannelError, case .connectTimeout = error {
            return (.timeout, "the connection was not accepted in time")
        }
        if error is UpstreamResponseTooLarge { return (.malformed, "\(error)") }
        return (committed ? .broken : .connect, "\(error)")
    }
}

/// One attempt's hold on a member: its in-flight count, its latency, its verdict. Ends
/// exactly once, even when a response is dropped without its body being written.
final class UpstreamLease: Sendable {
    private let member: UpstreamMember
    private let metrics: UpstreamMetrics
    private let started = ContinuousClock.now
    private let ended = Mutex(false)

    init(member: UpstreamMember, metrics: UpstreamMetrics) {
        self.member = member
        self.metrics = metrics
        member.begin()
    }

    func firstByte() {
        metrics.observeFirstByte(pool: member.spec.id, member: member.label, seconds: Self.seconds(since: started))
    }

    func succeeded() {
        member.succeeded()
        end()
    }

    func rateLimited() {
        metrics.countError(pool: member.spec.id, member: member.label, kind: .rateLimited)
        end()
    }

    func failed(_ kind: UpstreamFailureKind, detail: String) {
        member.failed(kind, detail: detail)
        end()
    }

    func end() {
        guard ended.withLock({ e in defer { e = true }; return !e }) else { return }
        member.end()
        metrics.observeDuration(pool: member.spec.id, member: member.label, seconds: Self.seconds(since: started))
    }

    deinit {
        if !ended.withLock({ $0 }) { member.end() }
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        start.duration(to: .now).seconds
    }
}
