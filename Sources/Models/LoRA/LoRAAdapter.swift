import GGUF

/// One adapted matrix: ΔW = B·A with A (rank, inputs) and B (outputs, rank),
/// row-major F32 — the same layout as PEFT's `lora_A.weight` / `lora_B.weight`
/// and llama.cpp's `.lora_a` (ne=[inputs, rank]) / `.lora_b` (ne=[rank, outputs]).
public struct LoRAPair: Sendable, Equatable {
    public var rank: Int
    public var inputs: Int
    public var outputs: Int
    public var a: [Float]   // (rank, inputs)
    public var b: [Float]   // (outputs, rank)

    public init(rank: Int, inputs: Int, outputs: Int, a: [Float], b: [Float]) {
        precondition(a.count == rank * inputs && b.count == outputs * rank, "LoRAPair: sizes")
        self.rank = rank
        self.inputs = inputs
        self.outputs = outputs
        self.a = a
        self.b = b
    }
}

/// A LoRA adapter: pairs keyed by base tensor name, plus the alpha that sets
/// its scale. llama.cpp's rule: scale = userScale · alpha / rank (userScale
/// alone when alpha is 0).
public struct LoRAAdapter: Sendable, Equatable {
    public var name: String
    public var architecture: String
    public var alpha: Float
    /// `general.name` of the model it was trained on, when known.
    public var baseModelName: String?
    /// Keyed by base tensor name, e.g. `blk.0.attn_q.weight`.
    public var pairs: [String: LoRAPair]

    public init(name: String, architecture: String, alpha: Float, baseModelName: String?, pairs: [String: LoRAPair]) {
        self.name = name
        self.architecture = architecture
        self.alpha = alpha
        self.baseModelName = baseModelName
        self.pairs = pairs
    }

    /// The rank (of the first pair; adapters written by Aqyl use one rank).
    public var rank: Int { pairs.values.first?.rank ?? 0 }

    /// Targets present in any layer.
    public var targets: [LoRATarget] {
        LoRATarget.allCases.filter { t in pairs.keys.contains { $0.hasSuffix(".\(t.tensorStem).weight") } }
    }

    /// Effective multiplier of B·A for one pair.
    public func scale(of pair: LoRAPair, userScale: Float = 1) -> Float {
        alpha == 0 || pair.rank == 0 ? userScale : userScale * alpha / Float(pair.rank)
    }

    /// Checks that every pair fits a tensor of `file` (same architecture, base
    /// tensor exists with shape [inputs, outputs]).
    /// - Throws: ``LoRAError/wrongBase(adapter:model:reason:)`` naming both.
    public func validate(against file: GGUFFile) throws {
        let modelName = file.metadata["general.name"]?.string ?? file.path ?? "model"
        let arch = file.architecture ?? "?"
        guard arch == architecture else {
            throw LoRAError.wrongBase(adapter: name, model: modelName,
                                      reason: "adapter architecture '\(architecture)' ≠ model architecture '\(arch)'")
        }
        guard !pairs.isEmpty else { throw LoRAError.empty }
        for (tensor, p) in pairs.sorted(by: { $0.key < $1.key }) {
            guard let t = file.tensor(named: tensor) else {
                throw LoRAError.wrongBase(adapter: name, model: modelName, reason: "the model has no tensor '\(tensor)'")
            }
            guard t.dimensions == [p.inputs, p.outputs] else {
                var why = "'\(tensor)' is \(t.dimensions[0])→\(t.dimensions.count > 1 ? t.dimensions[1] : 1) in the model "
                    + "but \(p.inputs)→\(p.outputs) in the adapter"
                if let base = baseModelName { why += " (the adapter was made for '\(base)')" }
                throw LoRAError.wrongBase(adapter: name, model: modelName, reason: why)
            }
        }
    }
}
