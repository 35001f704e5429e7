import Foundation
import GGUF
import Kernels

/// Adapters (each with a user scale) made ready for one model's forward pass:
/// per layer and target, the (A, B, scale) terms to add, in owned buffers so
/// the pass reads them without copies. A stack is immutable, so one stack can
/// serve many sequences at once; the base weights are shared by all stacks.
public final class AdapterStack: @unchecked Sendable {
    // @unchecked: immutable after init; buffers are only read.
    struct Term {
        let rank: Int
        let inputs: Int
        let outputs: Int
        let a: UnsafeMutablePointer<Float>   // (rank, inputs)
        let b: UnsafeMutablePointer<Float>   // (outputs, rank)
        let scale: Float
    }

    public let adapters: [(adapter: LoRAAdapter, scale: Float)]
    /// terms[layer][target.index]
    let terms: [[[Term]]]
    public let maxRank: Int

    /// - Throws: ``LoRAError/wrongBase(adapter:model:reason:)`` if an adapter does not fit `file`.
    public init(_ adapters: [(adapter: LoRAAdapter, scale: Float)], file: GGUFFile, config: ModelConfig) throws {
        self.adapters = adapters
        var terms = [[[Term]]](repeating: [[Term]](repeating: [], count: LoRATarget.allCases.count), count: config.layers)
        var maxRank = 0
        for (adapter, userScale) in adapters {
            try adapter.validate(against: file)
            for (name, p) in adapter.pairs {
                guard let (layer, target) = Self.locate(name), layer < config.layers else {
                    throw LoRAError.wrongBase(adapter: adapter.name, model: file.metadata["general.name"]?.string ?? "model",
                                              reason: "Aqyl applies adapters to attention and feed-forward matrices only, not '\(name)'")
                }
                let a = UnsafeMutablePointer<Float>.allocate(capacity: p.a.count)
                a.initialize(from: p.a, count: p.a.count)
                let b = UnsafeMutablePointer<Float>.allocate(capacity: p.b.count)
                b.initialize(from: p.b, count: p.b.count)
                terms[layer][target.index].append(Term(rank: p.rank, inputs: p.inputs, outputs: p.outputs, a: a, b: b,
                                                       scale: adapter.scale(of: p, userScale: userScale)))
                maxRank = max(maxRank, p.rank)
            }
        }
        self.terms = terms
        self.maxRank = maxRank
    }

    deinit {
        for layer in terms { for ts in layer { for t in ts { t.a.deallocate(); t.b.deallocate() } } }
    }

    /// (layer, target) of a base tensor name like `blk.3.ffn_up.weight`.
    static func locate(_ name: String) -> (Int, LoRATarget)? {
        let parts = name.split(separator: ".")
        guard parts.count == 4, parts[0] == "blk", let l = Int(parts[1]), parts[3] == "weight",
              let t = LoRATarget.allCases.first(where: { $0.tensorStem == parts[2] }) else { return nil }
        return (l, t)
    }

    public var isEmpty: Bool { terms.allSatisfy { $0.allSatisfy(\.isEmpty) } }

    /// y (rows, outputs) += Σ scale · (x · Aᵀ) · Bᵀ for the terms of (layer, target),
    /// as llama.cpp's build_lora_mm adds scale·B(A·x). `scratch` holds rows·maxRank floats.
    func apply(layer: Int, target: LoRATarget, x: UnsafePointer<Float>, rows: Int,
               y: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
        for t in terms[layer][target.index] {
            // u (rows, rank) = x · Aᵀ
            FloatGEMM.nt(m: rows, n: t.rank, k: t.inputs, a: x, lda: t.inputs, b: t.a, ldb: t.inputs, c: scratch, ldc: t.rank)
            // y += scale · u · Bᵀ
            FloatGEMM.nt(m: rows, n: t.outputs, k: t.rank, alpha: t.scale, a: scratch, lda: t.rank, b: t.b, ldb: t.rank,
                         beta: 1, c: y, ldc: t.outputs)
        }
    }
}

/// `PATH[:SCALE]` as the CLI takes it.
public struct AdapterSpec: Sendable, Equatable {
    public var path: String
    public var scale: Float

    public init(path: String, scale: Float = 1) {
        self.path = path
        self.scale = scale
    }

    public init(parsing text: String) throws {
        if let colon = text.lastIndex(of: ":"), let s = Float(text[text.index(after: colon)...]) {
            guard s.isFinite else { throw LoRAError.badScale(text) }
            path = String(text[..<colon])
            scale = s
        } else {
            path = text
            scale = 1
        }
        guard !path.isEmpty else { throw LoRAError.badScale(text) }
    }
}
