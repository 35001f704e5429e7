import GGUF

/// Why a GGUF file cannot be run as a language model.
public enum ModelError: Error, Equatable, Sendable, CustomStringConvertible {
    case unsupportedArchitecture(String)
    case missingArchitecture
    case invalidConfig(String)
    case missingTensor(String)
    case badTensorShape(name: String, expected: [Int], actual: [Int])
    case unsupportedTensorType(name: String, type: GGMLType)
    case contextOverflow(requested: Int, limit: Int)

    public var description: String {
        switch self {
        case let .unsupportedArchitecture(a):
            return "unsupported architecture '\(a)' (supported: \(Architecture.allCases.map(\.rawValue).joined(separator: ", ")))"
        case .missingArchitecture: return "the file has no general.architecture: not a model GGUF"
        case let .invalidConfig(m): return "invalid model config: \(m)"
        case let .missingTensor(n): return "missing tensor '\(n)'"
        case let .badTensorShape(n, e, a): return "tensor '\(n)' has shape \(a), expected \(e)"
        case let .unsupportedTensorType(n, t): return "tensor '\(n)' has type \(t), which the engine cannot compute with"
        case let .contextOverflow(r, l): return "context overflow: \(r) tokens requested, the context holds \(l)"
        }
    }
}
