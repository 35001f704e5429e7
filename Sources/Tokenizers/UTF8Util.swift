/// Small UTF-8 helpers shared by the tokenizers.
enum UTF8Util {
    /// `unicode_len_utf8`: sequence length from the lead byte's high nibble
    /// (continuation bytes count as 1, as in llama.cpp).
    @inline(__always) static func sequenceLength(_ lead: UInt8) -> Int {
        switch lead >> 4 {
        case 0xC, 0xD: return 2
        case 0xE: return 3
        case 0xF: return 4
        default: return 1
        }
    }

    /// Decodes valid UTF-8 into code points plus each code point's starting byte
    /// offset (relative to `range.lowerBound`); `starts` has one extra end entry.
    /// Malformed sequences (not expected: input comes from `String`) decode as
    /// U+FFFD per byte, as `unicode_cpts_from_utf8` does.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>,
                       cps: inout [UInt32], starts: inout [Int]) {
        cps.removeAll(keepingCapacity: true)
        starts.removeAll(keepingCapacity: true)
        var i = range.lowerBound
        let end = range.upperBound
        while i < end {
            let b0 = bytes[i]
            starts.append(i - range.lowerBound)
            if b0 < 0x80 { cps.append(UInt32(b0)); i += 1; continue }
            let n = sequenceLength(b0)
            var ok = n > 1 && i + n <= end
            var cp: UInt32 = 0
            if ok {
                cp = UInt32(b0) & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07)
                for k in 1..<n {
                    let b = bytes[i + k]
                    if b & 0xC0 != 0x80 { ok = false; break }
                    cp = cp << 6 | UInt32(b & 0x3F)
                }
            }
            if ok {
                cps.append(cp); i += n
            } else {
                cps.append(0xFFFD); i += 1
            }
        }
        starts.append(end - range.lowerBound)
    }
}
