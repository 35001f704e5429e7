import Foundation
import Hummingbird
import NIOCore
import OpenAIAPI
import Synchronization

/// What a forwarded response carries back to the client, and what it tells us on the way:
/// the `model` becomes the pool's name, the token usage is counted (metrics and the usage
/// log), and the usage-only chunk the gateway asked for is dropped when the client did not.
struct UpstreamRelay: Sendable {
    /// The pool's name: the `model` clients asked for and get back.
    let pool: String
    /// The client asked for `stream_options.include_usage` itself.
    let clientWantsUsage: Bool
    let account: UsageAccount
    let metrics: ServerMetrics
    /// When the request reached this server (for time to first token).
    let arrived: ContinuousClock.Instant

    /// Token counts from the upstream's `usage`.
    struct Tokens: Sendable {
        var prompt: Int
        var completion: Int
    }

    /// The usage object's counts, range-checked (the upstream is another program, not trusted arithmetic).
    static func tokens(in object: [String: Any]) -> Tokens? {
        guard let usage = object["usage"] as? [String: Any] else { return nil }
        func count(_ key: String) -> Int {
            guard let n = usage[key] as? Int, (0...(1 << 40)).contains(n) else { return 0 }
            return n
        }
        return Tokens(prompt: count("prompt_tokens"), completion: count("completion_tokens"))
    }

    /// The object with its `model` set to the pool's name; nil when it already was.
    func renamed(_ object: [String: Any]) -> [String: Any]? {
        guard let model = object["model"] as? String, model != pool else { return nil }
        var object = object
        object["model"] = pool
        return object
    }

    /// Counts a finished forwarded request (metrics and the usage log).
    func record(_ tokens: Tokens?, generatedPieces: Int, responded: Bool) async {
        let prompt = tokens?.prompt ?? 0
        // Without a usage object, each content chunk counts as one token (servers send one per token).
        let completion = tokens?.completion ?? generatedPieces
        metrics.addPromptTokens(model: pool, prompt)
        metrics.addGeneratedTokens(model: pool, completion)
        account.setPromptTokens(prompt)
        await account.finish(completionTokens: completion, responded: responded)
    }

    // MARK: Whole answers

    /// A non-streamed 2xx answer: JSON object, renamed and counted. Nil when it is not a JSON object.
    func whole(_ body: ByteBuffer, headers: HTTPFields) async -> Response? {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] else { return nil }
        let tokens = Self.tokens(in: object)
        var out = body
        if let renamed = renamed(object),
           let data = try? JSONSerialization.data(withJSONObject: renamed, options: [.withoutEscapingSlashes]) {
            out = ByteBuffer(data: data)
        }
        await record(tokens, generatedPieces: 0, responded: true)
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: out))
    }

    // MARK: Streams

    /// The state of one relayed stream: events are cut from the upstream's chunks, each
    /// `data:` event is checked and rewritten, and what the client should see is returned.
    struct StreamState {
        let relay: UpstreamRelay
        var pending: [UInt8] = []
        var sawDone = false
        var tokens: Tokens?
        var pieces = 0
        var lastPieceAt: ContinuousClock.Instant?

        /// Client-bound bytes for one upstream chunk; throws ``UpstreamMalformedEvent`` on an event that is not JSON.
        mutating func feed(_ chunk: ByteBuffer) throws -> ByteBuffer {
            pending.append(contentsOf: chunk.readableBytesView.lazy.filter { $0 != 13 }) // CR LF ends lines too
            var out = ByteBuffer()
            while let end = Self.eventEnd(in: pending) {
                let event = Array(pending[..<end])
                pending.removeFirst(end + 2)
                try handle(event, into: &out)
            }
            return out
        }

        static func eventEnd(in bytes: [UInt8]) -> Int? {
            guard bytes.count >= 2 else { return nil }
            for i in 0..<(bytes.count - 1) where bytes[i] == 10 && bytes[i + 1] == 10 { return i }
            return nil
        }

        mutating func handle(_ event: [UInt8], into out: inout ByteBuffer) throws {
            let text = String(decoding: event, as: UTF8.self)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            let data = lines.filter { $0.hasPrefix("data:") }.map { line in
                line.dropFirst(5).drop(while: { $0 == " " })
            }.joined(separator: "\n")
            guard !data.isEmpty else {
                // Comments and keep-alives pass as they came.
                if !text.isEmpty { out.writeString(text + "\n\n") }
                return
            }
            if data == "[DONE]" {
                sawDone = true
                return // the relay writes its own end marker
            }
            guard let object = (try? JSONSerialization.jsonObject(with: Data(data.utf8))) as? [String: Any] else {
                throw UpstreamMalformedEvent(sample: String(data.prefix(80)))
            }
            if let t = UpstreamRelay.tokens(in: object) { tokens = t }
            let choices = object["choices"] as? [[String: Any]] ?? []
            // The usage-only chunk the gateway asked for on the client's behalf stays here.
            if choices.isEmpty, object["usage"] is [String: Any], object["error"] == nil, !relay.clientWantsUsage { return }
            if choices.contains(where: Self.carriesText) {
                pieces += 1
                let now = ContinuousClock.now
                if let last = lastPieceAt {
                    relay.metrics.observeInterTokenLatency(model: relay.pool, seconds: last.duration(to: now).seconds)
                } else {
                    relay.metrics.observeTimeToFirstToken(model: relay.pool, seconds: relay.arrived.duration(to: now).seconds)
                }
                lastPieceAt = now
            }
            if let renamed = relay.renamed(object),
               let encoded = try? JSONSerialization.data(withJSONObject: renamed, options: [.withoutEscapingSlashes]) {
                out.writeString("data: ")
                out.writeBytes(encoded)
                out.writeString("\n\n")
            } else {
                out.writeString("data: \(data)\n\n")
            }
        }

        static func carriesText(_ choice: [String: Any]) -> Bool {
            if let text = choice["text"] as? String, !text.isEmpty { return true }
            guard let delta = choice["delta"] as? [String: Any] else { return false }
            if let content = delta["content"] as? String, !content.isEmpty { return true }
            return delta["tool_calls"] != nil
        }
    }
}

/// A stream event whose data is neither JSON nor `[DONE]`.
struct UpstreamMalformedEvent: Error, CustomStringConvertible {
    let sample: String
    var description: String { "the upstream server sent an event that is not JSON: \(sample.debugDescription)" }
}
