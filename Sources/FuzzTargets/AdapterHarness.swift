import AdapterInterop
import Foundation
import GGUF

/// The PEFT safetensors reader: header, tensor table, and every tensor's values.
enum SafetensorsHarness {
    static let target = FuzzTarget(name: "safetensors", summary: "safetensors header and tensor table; every tensor widened to Float") {
        { bytes in
            guard let file = try? SafetensorsFile(data: Data(bytes)) else { return }
            for info in file.tensors {
                if let values = try? file.floats(info) { precondition(values.count == info.elementCount, "wrong value count") }
            }
        }
    }
}

/// A whole PEFT adapter directory imported onto a real (tiny) llama model:
/// `adapter_config.json` and `adapter_model.safetensors` both come from the input.
///
/// Input: a 2-byte little-endian length, that many bytes of config, then the weights file.
enum PEFTAdapterHarness {
    static let target = FuzzTarget(name: "peft-adapter", summary: "adapter_config.json + adapter_model.safetensors imported onto a tiny llama") {
        let model = try GGUFFile(path: try InputFile.fixture("peft/tiny-llama.gguf").path())
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-fuzz-peft-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let config = directory.appendingPathComponent("adapter_config.json")
        let weights = directory.appendingPathComponent("adapter_model.safetensors")
        return { bytes in
            guard bytes.count >= 2 else { return }
            let length = min(Int(bytes[0]) | Int(bytes[1]) << 8, bytes.count - 2)
            do {
                try Data(bytes[2..<(2 + length)]).write(to: config)
                try Data(bytes[(2 + length)...]).write(to: weights)
            } catch {
                fatalError("cannot write the fuzz input to \(directory.path): \(error)")
            }
            if let adapter = try? PEFTAdapter.importAdapter(directory: directory.path, model: model) {
                precondition((try? adapter.validate(against: model)) != nil, "an imported adapter does not fit its model")
            }
        }
    }
}
