/// Byte-level helpers for the hand-written scanners (markup delimiters are all ASCII, and in UTF-8
/// an ASCII byte is never part of a multi-byte character, so scanning bytes is safe).
enum ByteSearch {
    /// The first index >= `from` where `needle` starts in `hay[..<end]`.
    static func find(_ needle: [UInt8], in hay: [UInt8], from: Int, end: Int? = nil) -> Int? {
        let end = min(end ?? hay.count, hay.count)
        guard let first = needle.first, from >= 0 else { return nil }
        var i = from
        while i + needle.count <= end {
            guard let j = hay[i..<(end - needle.count + 1)].firstIndex(of: first) else { return nil }
            var k = 1
            while k < needle.count && hay[j + k] == needle[k] { k += 1 }
            if k == needle.count { return j }
            i = j + 1
        }
        return nil
    }

    /// Whether `hay` holds `needle` at `at`, ASCII letters compared case-insensitively when `ignoreCase`.
    static func matches(_ needle: [UInt8], in hay: [UInt8], at: Int, ignoreCase: Bool = false) -> Bool {
        guard at >= 0, at + needle.count <= hay.count else { return false }
        for k in 0..<needle.count {
            let a = hay[at + k], b = needle[k]
            if a == b { continue }
            if ignoreCase, lower(a) == lower(b) { continue }
            return false
        }
        return true
    }

    static func lower(_ b: UInt8) -> UInt8 { b >= 65 && b <= 90 ? b + 32 : b }
    static func isLetter(_ b: UInt8) -> Bool { (b >= 65 && b <= 90) || (b >= 97 && b <= 122) }
    static func isAlnum(_ b: UInt8) -> Bool { isLetter(b) || (b >= 48 && b <= 57) }
    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
}
