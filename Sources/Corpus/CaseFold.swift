/// Fast lowercase mapping of one scalar for keys and shingles: ASCII and the Cyrillic block
/// (Kazakh letters included) by table, anything else through Unicode's own mapping when it
/// changes under lowercasing (multi-scalar mappings keep their first scalar).
enum CaseFold {
    @inline(__always)
    static func lower(_ s: Unicode.Scalar) -> Unicode.Scalar {
        let v = s.value
        if v < 0x80 { return v >= 65 && v <= 90 ? Unicode.Scalar(UInt8(v + 32)) : s }
        if v >= 0x0410 && v <= 0x042F { return Unicode.Scalar(v + 0x20) ?? s }   // А–Я
        if v >= 0x0400 && v <= 0x040F { return Unicode.Scalar(v + 0x50) ?? s }   // Ѐ–Џ, І
        if v >= 0x0430 && v <= 0x045F { return s }
        guard s.properties.changesWhenLowercased else { return s }
        return s.properties.lowercaseMapping.unicodeScalars.first ?? s
    }
}
