import Testing
@testable import GGUF
import TestSupport

@Suite struct RoundTripTests {
    static func sampleWriter() throws -> GGUFWriter {
        var w = GGUFWriter()
        w.set("general.architecture", .string("llama"))
        w.set("u8", .uint8(7)); w.set("i8", .int8(-7)); w.set("u16", .uint16(65535)); w.set("i16", .int16(-300))
        w.set("u32", .uint32(4_000_000_000)); w.set("i32", .int32(-5)); w.set("f32", .float32(1.5)); w.set("b", .bool(true))
        w.set("s", .string("Сәлем, әлем")); w.set("u64", .uint64(1 << 40)); w.set("i64", .int64(-(1 << 40))); w.set("f64", .float64(2.25))
        w.set("tokens", .array(.string(["a", "Ġb", "қ", ""])))
        w.set("scores", .array(.float32([0.5, -1, 2])))
        w.set("types", .array(.int32([1, 3, 6])))
        w.set("nested", .array(.array([.uint8([1, 2]), .uint8([3])])))
        try w.addTensor(name: "a.weight", dimensions: [4, 3], floats: (0..<12).map(Float.init))
        try w.addTensor(name: "b.weight", type: .q8_0, dimensions: [32, 2], bytes: [UInt8](repeating: 1, count: 68))
        return w
    }

    @Test func everyValueTypeRoundTrips() throws {
        let w = try Self.sampleWriter()
        let file = try GGUFFile(bytes: try w.encode())
        #expect(file.version == 3)
        #expect(file.metadataKeys == w.metadata.map(\.key))
        for (k, v) in w.metadata { #expect(file.metadata[k] == v, "key \(k)") }
        #expect(try file.string("s") == "Сәлем, әлем")
        #expect(try file.int("u32") == 4_000_000_000)
        #expect(file.tensors.map(\.name) == ["a.weight", "b.weight"])
        let a = try #require(file.tensor(named: "a.weight"))
        #expect(a.dimensions == [4, 3] && a.type == .f32 && a.byteCount == 48)
        let data = file.tensorData(a)
        #expect(data.loadUnaligned(fromByteOffset: 4 * 5, as: Float.self) == 5)
        let b = try #require(file.tensor(named: "b.weight"))
        #expect(b.offset % file.alignment == 0 && b.byteCount == 68)
        #expect(file.dataOffset % 32 == 0)
    }

    @Test func customAlignmentIsHonoured() throws {
        var w = try Self.sampleWriter()
        w.set("general.alignment", .uint32(64))
        let file = try GGUFFile(bytes: try w.encode())
        #expect(file.alignment == 64)
        #expect(file.dataOffset % 64 == 0)
        #expect(file.tensors.allSatisfy { $0.offset % 64 == 0 })
    }

    @Test func mappedFileMatchesInMemory() throws {
        let w = try Self.sampleWriter()
        let path = NSTemporaryPath("roundtrip.gguf")
        try w.write(to: path)
        let file = try GGUFFile(path: path)
        #expect(file.tensors.count == 2)
        #expect(file.metadata["tokens"]?.array?.strings == ["a", "Ġb", "қ", ""])
    }

    @Test func writerRejectsWrongSizes() {
        var w = GGUFWriter()
        #expect(throws: GGUFError.self) { try w.addTensor(name: "x", type: .q8_0, dimensions: [31], bytes: []) }
        #expect(throws: GGUFError.self) { try w.addTensor(name: "x", type: .f32, dimensions: [2], bytes: [0, 0, 0]) }
        #expect(throws: GGUFError.self) { try w.addTensor(name: String(repeating: "n", count: 64), dimensions: [1], floats: [0]) }
    }
}
