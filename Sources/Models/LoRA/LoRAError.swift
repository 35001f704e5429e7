/// Why an adapter cannot be read, written or applied.
public enum LoRAError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownTarget(String)
    case notAnAdapter(String)
    case badTensor(name: String, reason: String)
    case wrongBase(adapter: String, model: String, reason: String)
    case badScale(String)
    case empty

    public var description: String {
        switch self {
        case let .unknownTarget(n):
            return "unknown LoRA target '\(n)' (known: \(LoRATarget.allCases.map(\.rawValue).joined(separator: ",")), or q_proj/attn_q names, or 'all')"
        case let .notAnAdapter(why): return "not a LoRA adapter: \(why)"
        case let .badTensor(n, r): return "adapter tensor '\(n)': \(r)"
        case let .wrongBase(a, m, r): return "adapter '\(a)' does not fit model '\(m)': \(r)"
        case let .badScale(s): return "bad adapter scale '\(s)' (use PATH or PATH:SCALE with a finite number)"
        case .empty: return "the adapter has no tensors"
        }
    }
}
