import Foundation

/// A weight matrix of the decoder block that a LoRA adapter can change.
/// Names follow PEFT's short forms on the command line (`--targets q,k,v`).
public enum LoRATarget: String, CaseIterable, Sendable, Codable {
    case q, k, v, o, gate, up, down

    /// The GGUF tensor stem (`blk.N.<stem>.weight`).
    public var tensorStem: String {
        switch self {
        case .q: return "attn_q"
        case .k: return "attn_k"
        case .v: return "attn_v"
        case .o: return "attn_output"
        case .gate: return "ffn_gate"
        case .up: return "ffn_up"
        case .down: return "ffn_down"
        }
    }

    /// The Hugging Face module path inside a layer (`model.layers.N.<path>`).
    public var huggingFacePath: String {
        switch self {
        case .q: return "self_attn.q_proj"
        case .k: return "self_attn.k_proj"
        case .v: return "self_attn.v_proj"
        case .o: return "self_attn.o_proj"
        case .gate: return "mlp.gate_proj"
        case .up: return "mlp.up_proj"
        case .down: return "mlp.down_proj"
        }
    }

    /// Position in `allCases`, for per-target tables.
    public var index: Int {
        switch self {
        case .q: return 0
        case .k: return 1
        case .v: return 2
        case .o: return 3
        case .gate: return 4
        case .up: return 5
        case .down: return 6
        }
    }

    /// The base tensor this target adapts in `layer`.
    public func tensorName(layer: Int) -> String { "blk.\(layer).\(tensorStem).weight" }

    /// Accepts the short name, the PEFT module name (`q_proj`) or the GGUF stem (`attn_q`).
    public init?(name: String) {
        let n = name.trimmingCharacters(in: .whitespaces).lowercased()
        if let t = LoRATarget(rawValue: n) { self = t; return }
        if let t = LoRATarget.allCases.first(where: { n == $0.tensorStem || $0.huggingFacePath.hasSuffix("." + n) }) {
            self = t
            return
        }
        return nil
    }

    /// Parses `q,k,v` (or `all`); unknown names throw, naming the accepted ones.
    public static func parseList(_ text: String) throws -> [LoRATarget] {
        if text.lowercased() == "all" { return allCases }
        var out: [LoRATarget] = []
        for part in text.split(separator: ",") where !part.isEmpty {
            guard let t = LoRATarget(name: String(part)) else {
                throw LoRAError.unknownTarget(String(part))
            }
            if !out.contains(t) { out.append(t) }
        }
        guard !out.isEmpty else { throw LoRAError.unknownTarget(text) }
        return out
    }
}

/// Matrix shape (outputs, inputs) of a target for a model config.
extension ModelConfig {
    public func shape(of target: LoRATarget) -> (outputs: Int, inputs: Int) {
        switch target {
        case .q: return (qDim, embedding)
        case .k, .v: return (kvDim, embedding)
        case .o: return (embedding, qDim)
        case .gate, .up: return (feedForward, embedding)
        case .down: return (embedding, feedForward)
        }
    }
}
