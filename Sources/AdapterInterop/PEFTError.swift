/// Why a PEFT adapter directory cannot be imported or exported.
public enum PEFTError: Error, Equatable, Sendable, CustomStringConvertible {
    case missingFile(String)
    case badConfig(String)
    /// Modules Aqyl's adapters cannot hold (only q,k,v,o,gate,up,down of the decoder layers).
    case unsupportedModules([String])
    case unsupportedTensors([String])
    case missingHalf(module: String, missing: String)
    case badShape(tensor: String, reason: String)

    public var description: String {
        switch self {
        case let .missingFile(p): return "PEFT adapter: '\(p)' is missing"
        case let .badConfig(why): return "PEFT adapter_config.json: \(why)"
        case let .unsupportedModules(ms):
            return "PEFT adapter adapts modules Aqyl cannot apply: \(Self.list(ms)) "
                + "(supported: q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj of the decoder layers)"
        case let .unsupportedTensors(ts):
            return "PEFT adapter has tensors that are not plain LoRA lora_A/lora_B weights: \(Self.list(ts)) "
                + "(DoRA, embedding LoRA, biases and modules_to_save are not supported)"
        case let .missingHalf(m, missing): return "PEFT adapter: module '\(m)' has no \(missing)"
        case let .badShape(t, r): return "PEFT adapter tensor '\(t)': \(r)"
        }
    }

    /// The first few names, quoted, and how many more.
    private static func list(_ names: [String]) -> String {
        let shown = names.prefix(5).map { "'\($0)'" }.joined(separator: ", ")
        return names.count > 5 ? shown + " and \(names.count - 5) more" : shown
    }
}
