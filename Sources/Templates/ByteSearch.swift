/// Substring search on UTF-8 bytes in linear time (Knuth–Morris–Pratt), so that a hostile template
/// cannot make `in`, `find`, `count`, `split` or `replace` quadratic with a long, repetitive needle.
///
/// Matching bytes of valid UTF-8 is matching code points, as Python's `str` methods do.
enum ByteSearch {
    /// Calls `body` with the byte offset of each non-overlapping occurrence of `needle` in `hay`,
    /// left to right, until it returns false or `limit` occurrences have been reported.
    /// An empty needle matches nowhere (callers handle it). Returns the number of occurrences reported.
    @discardableResult
    static func scan(_ hay: String, _ needle: String, limit: Int = Int.max, _ body: (Int) throws -> Bool) rethrows -> Int {
        var h = hay
        var n = needle
        return try h.withUTF8 { hb in
            try n.withUTF8 { nb in try scan(hb, nb, limit: limit, body) }
        }
    }

    static func scan(_ hay: UnsafeBufferPointer<UInt8>, _ needle: UnsafeBufferPointer<UInt8>, limit: Int,
                     _ body: (Int) throws -> Bool) rethrows -> Int {
        let m = needle.count
        guard m > 0, m <= hay.count, limit > 0 else { return 0 }
        var found = 0
        if m == 1 {
            let b = needle[0]
            for i in 0..<hay.count where hay[i] == b {
                found += 1
                if try !body(i) || found >= limit { break }
            }
            return found
        }
        // Prefix function of the needle.
        var pi = [Int](repeating: 0, count: m)
        var k = 0
        for i in 1..<m {
            while k > 0 && needle[i] != needle[k] { k = pi[k - 1] }
            if needle[i] == needle[k] { k += 1 }
            pi[i] = k
        }
        k = 0
        for i in 0..<hay.count {
            while k > 0 && hay[i] != needle[k] { k = pi[k - 1] }
            if hay[i] == needle[k] { k += 1 }
            if k == m {
                found += 1
                // Non-overlapping: the next match starts after this one.
                k = 0
                if try !body(i + 1 - m) || found >= limit { break }
            }
        }
        return found
    }

    /// Byte offset of the first occurrence, or nil.
    static func first(_ hay: String, _ needle: String) -> Int? {
        if needle.isEmpty { return 0 }
        var at: Int?
        scan(hay, needle, limit: 1) { at = $0; return false }
        return at
    }

    /// Number of non-overlapping occurrences (at most `limit`).
    static func count(_ hay: String, _ needle: String, limit: Int = Int.max) -> Int {
        scan(hay, needle, limit: limit) { _ in true }
    }

    /// Calls `body` with the pieces of `s` between the first `maxSplit` (all when negative)
    /// occurrences of a non-empty `sep`, as Python's `s.split(sep, maxsplit)`.
    static func split(_ s: String, _ sep: String, maxSplit: Int, _ body: (String) throws -> Void) rethrows {
        let sepLen = sep.utf8.count
        let u = s.utf8
        var start = 0
        func piece(_ from: Int, _ to: Int) -> String {
            let a = u.index(u.startIndex, offsetBy: from)
            return String(decoding: u[a..<u.index(a, offsetBy: to - from)], as: UTF8.self)
        }
        try scan(s, sep, limit: maxSplit < 0 ? Int.max : maxSplit) { at in
            try body(piece(start, at))
            start = at + sepLen
            return true
        }
        try body(piece(start, u.count))
    }
}
