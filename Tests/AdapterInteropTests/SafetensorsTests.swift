import Foundation
import Kernels
import Testing
@testable import AdapterInterop

@Suite struct SafetensorsTests {
    /// A file with `header` (JSON text, unpadded) and `data` as its buffer.
    static func file(_ header: String, data: [UInt8] = [], length: UInt64? = nil) -> Data {
        var out = Data()
        withUnsafeBytes(of: (length ?? UInt64(header.utf8.count)).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: Array(header.utf8))
        out.append(contentsOf: data)
        return out
    }

    @Test func writesAndReadsF32AndF16() throws {
        var w = SafetensorsWriter(metadata: ["format": "pt"])
        let a: [Float] = [1, -2.5, 0.125, 3e-3, 65504, -0, 7, 8]
        try w.add("z.weight", shape: [2, 4], floats: a)
        try w.add("a.weight", shape: [4, 2], floats: a, dtype: .f16)
        try w.add("empty", shape: [0, 3], floats: [])
        let bytes = try w.encode()
        let headerLength = Int(bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        #expect((8 + headerLength) % 8 == 0, "data buffer starts 8-aligned")
        let st = try SafetensorsFile(data: Data(bytes))
        #expect(st.tensors.map(\.name) == ["a.weight", "empty", "z.weight"])
        #expect(st.metadata == ["format": "pt"])
        #expect(try st.floats("z.weight") == a)
        #expect(st.tensor(named: "a.weight")?.shape == [4, 2] && st.tensor(named: "a.weight")?.dtype == .f16)
        #expect(try st.floats("a.weight") == a.map { HalfFloat.float(fromHalf: HalfFloat.half(from: $0)) })
        #expect(try st.floats("empty") == [])
        // Sorted keys: the F16 tensor comes first in the buffer.
        #expect(st.tensor(named: "a.weight")?.range == 0..<16 && st.tensor(named: "z.weight")?.range == 16..<48)
        #expect(throws: SafetensorsError.missingTensor("nope")) { try st.floats("nope") }
        #expect(throws: SafetensorsError.self) { try w.add("z.weight", shape: [1], floats: [1]) }
        #expect(throws: SafetensorsError.self) { try w.add("bad", shape: [3], floats: [1, 2]) }
    }

    @Test func readsBF16AndRefusesIntegersAsFloats() throws {
        // BF16 1.0 = 0x3F80, -2.0 = 0xC000; then an I64.
        let data: [UInt8] = [0x80, 0x3F, 0x00, 0xC0] + [UInt8](repeating: 1, count: 8)
        let st = try SafetensorsFile(data: Self.file(
            #"{"b":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]},"i":{"dtype":"I64","shape":[1],"data_offsets":[4,12]}}"#, data: data))
        #expect(try st.floats("b") == [1, -2])
        #expect(throws: SafetensorsError.unsupportedDType(name: "i", dtype: "I64")) { try st.floats("i") }
    }

    /// Each malformed file fails on open with a typed error, never a crash.
    @Test(arguments: [
        ("too short", Data([1, 2, 3])),
        ("header longer than file", Self.file("{}", length: 100)),
        ("header above 100 MB", Self.file("{}", length: 200_000_000)),
        ("not an object", Self.file("[1, 2]")),
        ("not JSON", Self.file("{\"a\": ")),
        ("missing dtype", Self.file(#"{"a":{"shape":[1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0])),
        ("unknown dtype", Self.file(#"{"a":{"dtype":"F7","shape":[1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0])),
        ("size not dtype × shape", Self.file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0])),
        ("offsets past the buffer", Self.file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: [0, 0, 0, 0])),
        ("offsets reversed", Self.file(#"{"a":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}}"#, data: [0, 0, 0, 0])),
        ("three offsets", Self.file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}"#, data: [0, 0, 0, 0])),
        ("negative dimension", Self.file(#"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0])),
        ("fractional offset", Self.file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4.5]}}"#, data: [0, 0, 0, 0, 0])),
        ("shape overflows", Self.file(#"{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0])),
        ("overlapping", Self.file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
                                  data: [UInt8](repeating: 0, count: 8))),
        ("metadata not strings", Self.file(#"{"__metadata__":{"a":1}}"#)),
    ])
    func rejectsMalformedFile(_ why: String, _ data: Data) {
        #expect(throws: SafetensorsError.self, "\(why)") { try SafetensorsFile(data: data) }
    }

    @Test func errorsSayWhatIsWrong() throws {
        let overlap = Self.file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
                                data: [UInt8](repeating: 0, count: 8))
        #expect(throws: SafetensorsError.overlapping("a", "b")) { try SafetensorsFile(data: overlap) }
        #expect(throws: SafetensorsError.truncated(needed: 108, available: 10)) { try SafetensorsFile(data: Self.file("{}", length: 100)) }
        let size = #expect(throws: SafetensorsError.self) {
            try SafetensorsFile(data: Self.file(#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]))
        }
        #expect(size?.description.contains("needs 8") == true)
        #expect(throws: SafetensorsError.self) { try SafetensorsFile(path: "/nonexistent/adapter_model.safetensors") }
    }

    @Test func acceptsAnEmptyFileAndASlice() throws {
        #expect(try SafetensorsFile(data: Self.file("{}")).tensors.isEmpty)
        let inner = Self.file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: [0, 0, 0x80, 0x3F])
        let padded = Data([9, 9, 9]) + inner
        #expect(try SafetensorsFile(data: padded[3...]).floats("a") == [1])
    }
}
