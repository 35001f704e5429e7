import Foundation
import GGUF
import Kernels

/// llama.cpp's GGUF LoRA format (`src/llama-adapter.cpp`): `general.type =
/// adapter`, `adapter.type = lora`, `adapter.lora.alpha`, and for each adapted
/// tensor `<name>.lora_a` (ne=[inputs, rank]) and `<name>.lora_b` (ne=[rank, outputs]).
extension LoRAAdapter {
    /// Key where Aqyl records the base model's `general.name` (llama.cpp ignores it).
    static let baseNameKey = "adapter.aqyl.base_model"

    /// Reads an adapter file.
    /// - Throws: ``LoRAError`` for a file that is not a LoRA adapter or has
    ///   inconsistent tensors; GGUF errors for a damaged file.
    public init(path: String) throws {
        let file = try GGUFFile(path: path)
        try self.init(file: file, name: Self.defaultName(path: path))
    }

    /// The adapter's name from its file name (`kk.gguf` → `kk`).
    public static func defaultName(path: String) -> String {
        let base = URL(fileURLWithPath: path).lastPathComponent
        return base.hasSuffix(".gguf") ? String(base.dropLast(5)) : base
    }

    public init(file: GGUFFile, name: String) throws {
        guard file.metadata["general.type"]?.string == "adapter" else {
            throw LoRAError.notAnAdapter("general.type is '\(file.metadata["general.type"]?.string ?? "missing")', expected 'adapter'")
        }
        guard file.metadata["adapter.type"]?.string == "lora" else {
            throw LoRAError.notAnAdapter("adapter.type is '\(file.metadata["adapter.type"]?.string ?? "missing")', expected 'lora'")
        }
        guard let arch = file.architecture else { throw LoRAError.notAnAdapter("no general.architecture") }
        var pairs: [String: LoRAPair] = [:]
        var seen: [String: (a: GGUFTensorInfo?, b: GGUFTensorInfo?)] = [:]
        for t in file.tensors {
            if t.name.hasSuffix(".lora_a") {
                seen[String(t.name.dropLast(7)), default: (nil, nil)].a = t
            } else if t.name.hasSuffix(".lora_b") {
                seen[String(t.name.dropLast(7)), default: (nil, nil)].b = t
            } else if t.name.hasSuffix("_norm.weight") {
                continue  // llama.cpp ignores these too
            } else {
                throw LoRAError.badTensor(name: t.name, reason: "unexpected tensor (only .lora_a / .lora_b)")
            }
        }
        for (base, ab) in seen {
            guard let a = ab.a, let b = ab.b else {
                throw LoRAError.badTensor(name: base, reason: "has only one of lora_a / lora_b")
            }
            guard a.dimensions.count == 2, b.dimensions.count == 2 else {
                throw LoRAError.badTensor(name: base, reason: "lora_a and lora_b must be 2-D")
            }
            let inputs = a.dimensions[0], rank = a.dimensions[1], outputs = b.dimensions[1]
            guard b.dimensions[0] == rank, rank > 0 else {
                throw LoRAError.badTensor(name: base, reason: "lora_a is \(a.dimensions), lora_b is \(b.dimensions): ranks differ (is lora_a transposed?)")
            }
            pairs[base] = LoRAPair(rank: rank, inputs: inputs, outputs: outputs,
                                   a: try Self.floats(file, a), b: try Self.floats(file, b))
        }
        guard !pairs.isEmpty else { throw LoRAError.empty }
        self.init(name: name, architecture: arch, alpha: file.metadata["adapter.lora.alpha"]?.float ?? 0,
                  baseModelName: file.metadata[Self.baseNameKey]?.string, pairs: pairs)
    }

    private static func floats(_ file: GGUFFile, _ t: GGUFTensorInfo) throws -> [Float] {
        guard Dequantize.supportedTypes.contains(t.type), t.columns % t.type.blockSize == 0 else {
            throw LoRAError.badTensor(name: t.name, reason: "type \(t.type) is not supported")
        }
        let data = file.tensorData(t)
        guard let base = data.baseAddress else { throw LoRAError.badTensor(name: t.name, reason: "no data") }
        var out = [Float](repeating: 0, count: t.elementCount)
        out.withUnsafeMutableBufferPointer { Dequantize.row(t.type, base, $0.baseAddress!, count: t.elementCount) }
        return out
    }

    /// The GGUF that llama.cpp's `--lora` loads (F32 tensors, sorted by name).
    public func gguf() throws -> GGUFWriter {
        var w = GGUFWriter()
        w.set("general.architecture", .string(architecture))
        w.set("general.type", .string("adapter"))
        w.set("general.name", .string(name))
        w.set("adapter.type", .string("lora"))
        w.set("adapter.lora.alpha", .float32(alpha))
        if let baseModelName { w.set(Self.baseNameKey, .string(baseModelName)) }
        for (tensor, p) in pairs.sorted(by: { Self.order($0.key) < Self.order($1.key) }) {
            try w.addTensor(name: tensor + ".lora_a", dimensions: [p.inputs, p.rank], floats: p.a)
            try w.addTensor(name: tensor + ".lora_b", dimensions: [p.rank, p.outputs], floats: p.b)
        }
        return w
    }

    public func write(to path: String) throws {
        try gguf().write(to: path)
    }

    /// Layer-major order for readable files: blk.2 before blk.10.
    private static func order(_ name: String) -> (Int, String) {
        let parts = name.split(separator: ".")
        if parts.count > 1, parts[0] == "blk", let l = Int(parts[1]) { return (l, name) }
        return (Int.max, name)
    }
}
