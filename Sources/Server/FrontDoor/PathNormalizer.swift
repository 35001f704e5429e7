/// One canonical spelling of a request path, computed once before routing, so that
/// nothing downstream (the router, authorization, metrics) can be told apart by how
/// a client spelled the same path.
///
/// - Percent-encoded unreserved characters (`A–Z a–z 0–9 - . _ ~`) are decoded:
///   `/v1/%6Dodels` is `/v1/models`. Other escapes stay as they are (so they never
///   match a route), except `%2F`/`%5C` (an encoded separator) and `%00`, which are refused.
/// - Repeated slashes collapse (`//v1//models`), `.` segments go, `..` removes the
///   segment before it (RFC 3986 §5.2.4); a `..` above the root is refused.
/// - A trailing slash is dropped (the router ignores it anyway).
/// - Case is kept: routes are case-sensitive, so `/V1/models` is simply not found.
enum PathNormalizer {
    enum Rejection: Error, Equatable {
        case encodedSeparator
        case nul
        case aboveRoot
        case notAbsolute
    }

    /// The canonical path, or why the path is refused. `path` has no query string.
    static func normalize(_ path: String) -> Result<String, Rejection> {
        guard path.utf8.first == UInt8(ascii: "/") else { return .failure(.notAbsolute) }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(path.utf8.count)
        let bytes = Array(path.utf8)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == 0 { return .failure(.nul) }
            if b == UInt8(ascii: "\\") { return .failure(.encodedSeparator) }
            if b == UInt8(ascii: "%"), i + 2 < bytes.count, let hi = hex(bytes[i + 1]), let lo = hex(bytes[i + 2]) {
                let value = hi << 4 | lo
                if value == 0 { return .failure(.nul) }
                if value == UInt8(ascii: "/") || value == UInt8(ascii: "\\") { return .failure(.encodedSeparator) }
                if isUnreserved(value) {
                    decoded.append(value)
                } else {
                    decoded += bytes[i...i + 2]
                }
                i += 3
                continue
            }
            decoded.append(b)
            i += 1
        }
        var segments: [ArraySlice<UInt8>] = []
        for segment in decoded.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true) {
            if segment.elementsEqual([UInt8(ascii: ".")]) { continue }
            if segment.elementsEqual([UInt8(ascii: "."), UInt8(ascii: ".")]) {
                guard !segments.isEmpty else { return .failure(.aboveRoot) }
                segments.removeLast()
                continue
            }
            segments.append(segment)
        }
        var out = ""
        for segment in segments { out += "/" + String(decoding: segment, as: UTF8.self) }
        return .success(out.isEmpty ? "/" : out)
    }

    private static func hex(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// RFC 3986 §2.3.
    private static func isUnreserved(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }
}
