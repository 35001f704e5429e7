import Testing
import Tokenizers

struct ByteLevelTests {
    @Test func mapMatchesGPT2Alphabet() {
        #expect(ByteLevel.byteToScalar[0x20] == 0x120)  // ' ' -> 'Ġ'
        #expect(ByteLevel.byteToScalar[0x0A] == 0x10A)  // '\n' -> 'Ċ'
        #expect(ByteLevel.byteToScalar[0x00] == 0x100)
        #expect(ByteLevel.byteToScalar[0x41] == 0x41)
        #expect(ByteLevel.byteToScalar[0x7F] == 0x121)
        #expect(ByteLevel.byteToScalar[0xA0] == 0x142)
        #expect(ByteLevel.byteToScalar[0xAD] == 0x143)  // the 68th remapped byte
        #expect(ByteLevel.byteToScalar[0xFF] == 0xFF)
        #expect(Set(ByteLevel.byteToScalar).count == 256)
    }

    @Test func encodeDecodeRoundTrip() {
        let bytes = Array("Сәлем 👋\n\t\u{0}".utf8) + [0xFF, 0x80]
        #expect(ByteLevel.encode(bytes.prefix(3)) == "Ð¡Ó")
        #expect(ByteLevel.decode(ByteLevel.encode(bytes)) == bytes)
        #expect(ByteLevel.encode(Array(" hi".utf8)) == "Ġhi")
    }
}
