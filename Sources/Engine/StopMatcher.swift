/// Finds stop strings in streamed text without ever emitting a stop string,
/// or a prefix of one that may still complete, to the consumer.
public struct StopMatcher: Sendable {
    public let stops: [String]
    private var pending = ""

    public init(_ stops: [String]) {
        self.stops = stops.filter { !$0.isEmpty }
    }

    /// Feeds text; returns what is safe to emit and whether a stop matched
    /// (in which case the text before it is returned and the rest dropped).
    public mutating func feed(_ text: String) -> (emit: String, stopped: Bool) {
        pending += text
        guard !stops.isEmpty else {
            defer { pending = "" }
            return (pending, false)
        }
        var earliest: String.Index?
        for s in stops {
            if let r = pending.range(of: s), earliest.map({ r.lowerBound < $0 }) ?? true {
                earliest = r.lowerBound
            }
        }
        if let cut = earliest {
            let out = String(pending[..<cut])
            pending = ""
            return (out, true)
        }
        // Hold back the longest suffix that is a prefix of some stop string.
        var hold = 0
        for s in stops {
            let maxLen = min(s.count - 1, pending.count)
            if maxLen <= hold { continue }
            for len in stride(from: maxLen, to: hold, by: -1) where pending.hasSuffix(String(s.prefix(len))) {
                hold = len
                break
            }
        }
        let split = pending.index(pending.endIndex, offsetBy: -hold)
        let out = String(pending[..<split])
        pending = String(pending[split...])
        return (out, false)
    }

    /// Text still held back at the end of generation.
    public mutating func finish() -> String {
        defer { pending = "" }
        return pending
    }
}
