/// Splits a ``ByteSource`` into lines (`\n` or `\r\n`), without loading the whole input.
public final class LineReader {
    private let source: ByteSource
    private var buffer: [UInt8] = []
    private var start = 0
    /// Bytes from `start` up to here hold no newline (a long line is not rescanned per chunk).
    private var scanned = 0
    private var finished = false
    /// The 1-based number of the line last returned.
    public private(set) var lineNumber = 0

    public init(_ source: ByteSource) {
        self.source = source
    }

    /// The next line's bytes without its terminator, or nil at the end.
    public func nextBytes() throws -> ArraySlice<UInt8>? {
        while true {
            if let nl = buffer[max(start, scanned)...].firstIndex(of: UInt8(ascii: "\n")) {
                var end = nl
                if end > start, buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                let line = buffer[start..<end]
                start = nl + 1
                scanned = start
                lineNumber += 1
                return line
            }
            scanned = buffer.count
            if finished {
                guard start < buffer.count else { return nil }
                var end = buffer.count
                if buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                let line = buffer[start..<end]
                start = buffer.count
                lineNumber += 1
                return line
            }
            if start > 0 {
                buffer.removeFirst(start)
                scanned -= start
                start = 0
            }
            if let chunk = try source.read() { buffer += chunk } else { finished = true }
        }
    }

    /// The next line decoded as UTF-8 (invalid bytes become U+FFFD), or nil at the end.
    public func next() throws -> String? {
        guard let bytes = try nextBytes() else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}
