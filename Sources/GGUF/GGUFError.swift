/// Everything that can be wrong with a GGUF file, named precisely enough that a
/// user can tell a truncated download from a hostile or unsupported file.
public enum GGUFError: Error, Equatable, Sendable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case cannotWrite(path: String, reason: String)
    case badMagic(UInt32)
    case unsupportedVersion(UInt32)
    case truncated(offset: Int, need: Int, available: Int)
    case countTooLarge(what: String, count: UInt64)
    case badValueType(key: String, type: UInt32)
    case badBool(key: String, value: UInt8)
    case nestingTooDeep(key: String)
    case duplicateKey(String)
    case badAlignment(UInt64)
    case badTensorName(String)
    case duplicateTensor(String)
    case badDimensionCount(tensor: String, count: UInt32)
    case badDimension(tensor: String, value: Int64)
    case unsupportedTensorType(tensor: String, type: UInt32)
    case badRowLength(tensor: String, type: GGMLType, columns: Int)
    case tensorTooLarge(tensor: String)
    case misalignedTensor(tensor: String, offset: UInt64, alignment: Int)
    case tensorOutOfBounds(tensor: String, offset: UInt64, size: Int, dataSize: Int)
    case missingKey(String)
    case wrongKeyType(key: String, expected: String)
    case missingTensor(String)
    /// A split model (`split.count` > 1) whose parts do not fit together.
    case badSplit(path: String, reason: String)

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason): return "cannot open \(path): \(reason)"
        case let .cannotWrite(path, reason): return "cannot write \(path): \(reason)"
        case let .badMagic(m): return "not a GGUF file (magic 0x\(String(m, radix: 16)), expected 0x46554747 \"GGUF\")"
        case let .unsupportedVersion(v): return "unsupported GGUF version \(v) (supported: 2, 3)"
        case let .truncated(offset, need, available):
            return "truncated GGUF: need \(need) bytes at offset \(offset), only \(available) left"
        case let .countTooLarge(what, count): return "GGUF \(what) count \(count) is larger than the file can hold"
        case let .badValueType(key, type): return "metadata key '\(key)' has unknown value type \(type)"
        case let .badBool(key, value): return "metadata key '\(key)' has invalid bool byte \(value)"
        case let .nestingTooDeep(key): return "metadata key '\(key)' nests arrays too deeply"
        case let .duplicateKey(k): return "duplicate metadata key '\(k)'"
        case let .badAlignment(a): return "general.alignment \(a) is not a power of two"
        case let .badTensorName(n): return "invalid tensor name '\(n.prefix(80))' (empty or 64+ bytes)"
        case let .duplicateTensor(n): return "duplicate tensor '\(n)'"
        case let .badDimensionCount(t, c): return "tensor '\(t)' has \(c) dimensions (at most 4)"
        case let .badDimension(t, v): return "tensor '\(t)' has invalid dimension \(v)"
        case let .unsupportedTensorType(t, type): return "tensor '\(t)' has unsupported ggml type \(type)"
        case let .badRowLength(t, type, c): return "tensor '\(t)': row length \(c) is not a multiple of the \(type) block size \(type.blockSize)"
        case let .tensorTooLarge(t): return "tensor '\(t)' size overflows"
        case let .misalignedTensor(t, o, a): return "tensor '\(t)' offset \(o) is not aligned to \(a)"
        case let .tensorOutOfBounds(t, o, s, d): return "tensor '\(t)' [\(o), +\(s)) lies outside the \(d)-byte data section"
        case let .missingKey(k): return "missing metadata key '\(k)'"
        case let .wrongKeyType(k, e): return "metadata key '\(k)' is not \(e)"
        case let .missingTensor(n): return "missing tensor '\(n)'"
        case let .badSplit(path, reason): return "split GGUF \(path): \(reason)"
        }
    }
}
