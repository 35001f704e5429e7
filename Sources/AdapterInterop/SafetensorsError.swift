/// Why a safetensors file cannot be read or written.
public enum SafetensorsError: Error, Equatable, Sendable, CustomStringConvertible {
    case cannotRead(path: String, reason: String)
    /// The file is shorter than its 8-byte length prefix plus the header it announces.
    case truncated(needed: Int, available: Int)
    case headerTooLarge(Int)
    case badHeader(String)
    case badTensor(name: String, reason: String)
    /// Two tensors claim the same bytes.
    case overlapping(String, String)
    case unsupportedDType(name: String, dtype: String)
    case missingTensor(String)

    public var description: String {
        switch self {
        case let .cannotRead(p, r): return "cannot read safetensors file '\(p)': \(r)"
        case let .truncated(n, a): return "safetensors file is truncated: the header needs \(n) bytes, the file has \(a)"
        case let .headerTooLarge(n): return "safetensors header length \(n) is larger than the 100 MB the format allows"
        case let .badHeader(why): return "bad safetensors header: \(why)"
        case let .badTensor(n, r): return "safetensors tensor '\(n)': \(r)"
        case let .overlapping(a, b): return "safetensors tensors '\(a)' and '\(b)' overlap"
        case let .unsupportedDType(n, d): return "safetensors tensor '\(n)' has dtype \(d); only F32, F16 and BF16 can be read as floats"
        case let .missingTensor(n): return "safetensors file has no tensor '\(n)'"
        }
    }
}
