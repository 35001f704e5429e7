/// GPT-2's byte-level alphabet (`unicode.cpp` `unicode_byte_to_utf8_map`): every
/// byte is shown as a printable code point so that BPE vocabularies can be stored
/// as text. Printable Latin-1 bytes (0x21-0x7E, 0xA1-0xAC, 0xAE-0xFF) map to
/// themselves; the other 68 bytes, in ascending order, map to U+0100 + n (space
/// becomes `Ġ` U+0120, newline `Ċ` U+010A).
public enum ByteLevel {
    /// byte -> code point.
    public static let byteToScalar: [UInt32] = {
        var map = [UInt32](repeating: 0, count: 256)
        var n: UInt32 = 0
        for b in 0..<256 {
            if isSelfMapped(b) {
                map[b] = UInt32(b)
            } else {
                map[b] = 256 + n
                n += 1
            }
        }
        return map
    }()

    /// code point (< 0x144) -> byte, or -1 when the code point is not in the alphabet.
    public static let scalarToByte: [Int16] = {
        var map = [Int16](repeating: -1, count: 0x144)
        for b in 0..<256 { map[Int(byteToScalar[b])] = Int16(b) }
        return map
    }()

    /// UTF-8 of each byte's code point, for building the encoded form of a word.
    static let byteToUTF8: [[UInt8]] = byteToScalar.map { cp in Unicode.Scalar(cp).map { Array(String($0).utf8) } ?? [] }

    @inline(__always) static func isSelfMapped(_ b: Int) -> Bool {
        (0x21...0x7E).contains(b) || (0xA1...0xAC).contains(b) || (0xAE...0xFF).contains(b)
    }

    /// Byte-level encoded text of raw bytes (what BPE merges operate on).
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        for b in bytes { out += byteToUTF8[Int(b)] }
        return String(decoding: out, as: UTF8.self)
    }

    /// `llama_decode_text`: maps each code point of a vocabulary string back to its
    /// byte. A code point outside the alphabet reproduces llama.cpp's marker
    /// `[UNK_BYTE_0x<utf8 hex><whole token text>]` so output stays identical.
    public static func decode(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for s in text.unicodeScalars {
            let v = s.value
            if v < 0x144, scalarToByte[Int(v)] >= 0 {
                out.append(UInt8(scalarToByte[Int(v)]))
            } else {
                out += Array("[UNK_BYTE_0x".utf8)
                for b in String(s).utf8 {
                    let hex = Array("0123456789abcdef".utf8)
                    out.append(hex[Int(b >> 4)])
                    out.append(hex[Int(b & 15)])
                }
                out += Array(text.utf8)
                out.append(UInt8(ascii: "]"))
            }
        }
        return out
    }
}
