import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// One request to one upstream member, read piece by piece under the pool's timeouts.
///
/// A task of its own reads the upstream response (head, then body chunks) into a stream,
/// while a watchdog beside it enforces the deadline of the current phase: the first
/// chunk of a stream, the silence between chunks, and the request's total. A deadline
/// that passes cancels the upstream request (closing its connection) and ends the stream
/// with ``UpstreamTimeout``, so no client waits on a stalled server. Cancelling the
/// exchange (the client went away) cancels the upstream request the same way.
final class UpstreamExchange: Sendable {
    /// What the upstream sent, in order: one head, then body chunks.
    enum Piece: Sendable {
        case head(status: Int, headers: HTTPHeaders)
        case body(ByteBuffer)
    }

    private let pieces: AsyncThrowingStream<Piece, any Error>
    private let task: Task<Void, Never>

    /// Starts the request. `streaming`: the first-byte and idle timeouts apply; otherwise
    /// only `deadline` (the whole request's, shared by its attempts) bounds it.
    init(client: HTTPClient, request: HTTPClientRequest, streaming: Bool, settings: UpstreamSettings,
         deadline: ContinuousClock.Instant) {
        let (pieces, continuation) = AsyncThrowingStream<Piece, any Error>.makeStream()
        let watch = Deadlines(total: deadline, firstByte: streaming ? .now + settings.firstByteTimeout : nil,
                              idle: streaming ? settings.idleTimeout : nil)
        task = Task {
            do {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        // Our watchdog bounds the time; the client's own deadline only backs it up.
                        let response = try await client.execute(request, deadline: .now() + .hours(24))
                        continuation.yield(.head(status: Int(response.status.code), headers: response.headers))
                        for try await chunk in response.body {
                            watch.chunkArrived()
                            continuation.yield(.body(chunk))
                        }
                    }
                    group.addTask {
                        while true {
                            let (instant, phase, beforeFirstChunk) = watch.current
                            let now = ContinuousClock.now
                            if now >= instant { throw UpstreamTimeout(phase: phase) }
                            // Idle and total deadlines only move later, so sleeping to them is safe; the
                            // first chunk replaces the first-byte deadline with a perhaps earlier idle one,
                            // so until then look again every quarter second.
                            try await Task.sleep(until: beforeFirstChunk ? min(instant, now + .milliseconds(250)) : instant,
                                                 clock: .continuous)
                        }
                    }
                    // The first to end decides: the response read to its end, or a deadline.
                    try await group.next()
                    group.cancelAll()
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: Task.isCancelled ? CancellationError() : error)
            }
        }
        let task = self.task
        continuation.onTermination = { _ in task.cancel() }
        self.pieces = pieces
    }

    /// The next piece; nil at the end of the response.
    func next() async throws -> Piece? {
        // The stream's storage is shared, so a fresh iterator goes on where the last one stopped.
        var iterator = pieces.makeAsyncIterator()
        return try await iterator.next()
    }

    /// Stops reading and closes the upstream request.
    func cancel() {
        task.cancel()
    }

    /// The body up to `limit` bytes (the rest is an error), for answers read whole.
    func collectBody(limit: Int) async throws -> ByteBuffer {
        var body = ByteBuffer()
        while let piece = try await next() {
            guard case var .body(chunk) = piece else { continue }
            guard body.readableBytes + chunk.readableBytes <= limit else { throw UpstreamResponseTooLarge(limit: limit) }
            body.writeBuffer(&chunk)
        }
        return body
    }

    /// The deadline of the phase the exchange is in.
    private final class Deadlines: Sendable {
        struct State {
            var firstByte: ContinuousClock.Instant?
            var idleUntil: ContinuousClock.Instant?
        }

        let total: ContinuousClock.Instant
        let idle: Duration?
        let state: Mutex<State>

        init(total: ContinuousClock.Instant, firstByte: ContinuousClock.Instant?, idle: Duration?) {
            self.total = total
            self.idle = idle
            state = Mutex(State(firstByte: firstByte))
        }

        func chunkArrived() {
            guard let idle else { return }
            state.withLock {
                $0.firstByte = nil
                $0.idleUntil = .now + idle
            }
        }

        /// The deadline now, its phase, and whether a stream still waits for its first chunk.
        var current: (ContinuousClock.Instant, UpstreamTimeout.Phase, Bool) {
            state.withLock { s in
                let waiting = idle != nil && s.idleUntil == nil
                if let first = s.firstByte, first < total { return (first, .firstByte, waiting) }
                if let idle = s.idleUntil, idle < total { return (idle, .idle, waiting) }
                return (total, .total, waiting)
            }
        }
    }
}

/// An upstream deadline passed.
struct UpstreamTimeout: Error, CustomStringConvertible {
    enum Phase: String {
        case firstByte = "first byte", idle = "silence between chunks", total = "total time"
    }

    let phase: Phase
    var description: String { "the upstream server exceeded the \(phase.rawValue) timeout" }
}

/// A whole-read answer (a non-streamed completion, an error body) beyond the gateway's limit.
struct UpstreamResponseTooLarge: Error, CustomStringConvertible {
    let limit: Int
    var description: String { "the upstream server's answer is larger than \(limit) bytes" }
}
