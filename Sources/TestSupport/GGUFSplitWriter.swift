import GGUF

/// Splits a GGUF file into N parts the way llama.cpp's `gguf-split` does: every part
/// carries `split.no` (u16), `split.count` (u16) and `split.tensors.count` (i32); the
/// first part also carries all other metadata; tensors are dealt out in order.
public enum GGUFSplitWriter {
    public static func split(_ source: String, into count: Int, prefix: String) throws {
        let file = try GGUFFile(path: source)
        let perPart = (file.tensors.count + count - 1) / count
        for part in 0..<count {
            var writer = GGUFWriter()
            writer.alignment = file.alignment
            if part == 0 {
                for key in file.metadataKeys { writer.set(key, file.metadata[key]!) }
            }
            writer.set("split.no", .uint16(UInt16(part)))
            writer.set("split.count", .uint16(UInt16(count)))
            writer.set("split.tensors.count", .int32(Int32(file.tensors.count)))
            let slice = file.tensors.dropFirst(part * perPart).prefix(perPart)
            for info in slice {
                try writer.addTensor(name: info.name, type: info.type, dimensions: info.dimensions, bytes: Array(file.tensorData(info)))
            }
            try writer.write(to: prefix + GGUFFile.splitSuffix(part + 1, of: count))
        }
    }
}
