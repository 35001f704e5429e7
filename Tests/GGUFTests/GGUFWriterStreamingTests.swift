import Foundation
import GGUF
import TestSupport
import Testing

/// `write(to:)` streams: tensors borrowed from an open file (with rows appended) are written
/// without copying the model into memory, and the file is byte for byte what `encode()` gives.
@Suite struct GGUFWriterStreamingTests {
    @Test func streamedFileEqualsTheEncodedBytes() throws {
        var b = TinyModelBuilder()
        b.byteLevelTokenizer = true
        b.embeddingType = .q8_0
        let sourcePath = NSTemporaryPath("stream-source.gguf")
        try b.build().write(to: sourcePath)
        let source = try GGUFFile(path: sourcePath)
        var w = GGUFWriter()
        for key in source.metadataKeys { w.set(key, source.metadata[key]!) }
        w.set("general.name", .string("streamed"))
        for t in source.tensors {
            if t.name == "token_embd.weight" {
                let extra = [UInt8](repeating: 7, count: 2 * t.type.rowBytes(t.columns)!)
                try w.addTensor(name: t.name, type: t.type, dimensions: [t.columns, t.rows + 2], from: source, tensor: t, appending: extra)
            } else {
                try w.addTensor(name: t.name, type: t.type, dimensions: t.dimensions, from: source, tensor: t)
            }
        }
        let out = NSTemporaryPath("stream-out.gguf")
        try w.write(to: out)
        let written = try [UInt8](Data(contentsOf: URL(fileURLWithPath: out)))
        #expect(written == (try w.encode()))
        let back = try GGUFFile(path: out)
        #expect(back.metadata["general.name"]?.string == "streamed")
        let e = try #require(back.tensor(named: "token_embd.weight"))
        #expect(e.rows == 260)
        #expect(Array(back.tensorData(e).suffix(4)) == [7, 7, 7, 7])
        // Writing over an existing file replaces it; no temporary file is left behind.
        try w.write(to: out)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: (out as NSString).deletingLastPathComponent)
            .filter { $0.hasPrefix(".stream-out.gguf.") }
        #expect(leftovers.isEmpty)
    }

    @Test func aTensorOfTheWrongSizeIsRefused() throws {
        var b = TinyModelBuilder()
        b.byteLevelTokenizer = true
        let source = try GGUFFile(bytes: try b.build().encode())
        let t = try #require(source.tensor(named: "token_embd.weight"))
        var w = GGUFWriter()
        #expect(throws: GGUFError.self) {
            try w.addTensor(name: t.name, type: t.type, dimensions: [t.columns, t.rows + 1], from: source, tensor: t)
        }
    }
}
