import Foundation
import GGUF

/// Copies a GGUF file with some metadata changed (e.g. a hostile `tokenizer.chat_template`
/// in an otherwise valid model), tensors byte for byte.
public enum GGUFCopy {
    public static func write(from source: String, to destination: String, setting changes: [String: GGUFValue]) throws {
        let file = try GGUFFile(path: source)
        var writer = GGUFWriter()
        writer.alignment = file.alignment
        for key in file.metadataKeys {
            guard let value = changes[key] ?? file.metadata[key] else { continue }
            writer.set(key, value)
        }
        for (key, value) in changes where file.metadata[key] == nil { writer.set(key, value) }
        for info in file.tensors {
            try writer.addTensor(name: info.name, type: info.type, dimensions: info.dimensions,
                                 bytes: Array(file.tensorData(info)))
        }
        try writer.write(to: destination)
    }
}
