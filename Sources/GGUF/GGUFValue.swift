/// GGUF metadata value type ids (`gguf.h`), stored as int32.
public enum GGUFValueType: UInt32, Sendable {
    case uint8 = 0, int8 = 1, uint16 = 2, int16 = 3, uint32 = 4, int32 = 5, float32 = 6
    case bool = 7, string = 8, array = 9, uint64 = 10, int64 = 11, float64 = 12
}

/// A typed array value. Arrays are kept typed (not as `[GGUFValue]`) because a
/// vocabulary holds hundreds of thousands of entries.
public enum GGUFArray: Sendable, Equatable {
    case uint8([UInt8]), int8([Int8]), uint16([UInt16]), int16([Int16])
    case uint32([UInt32]), int32([Int32]), float32([Float]), bool([Bool])
    case string([String]), uint64([UInt64]), int64([Int64]), float64([Double])
    case array([GGUFArray])

    public var count: Int {
        switch self {
        case let .uint8(a): return a.count
        case let .int8(a): return a.count
        case let .uint16(a): return a.count
        case let .int16(a): return a.count
        case let .uint32(a): return a.count
        case let .int32(a): return a.count
        case let .float32(a): return a.count
        case let .bool(a): return a.count
        case let .string(a): return a.count
        case let .uint64(a): return a.count
        case let .int64(a): return a.count
        case let .float64(a): return a.count
        case let .array(a): return a.count
        }
    }

    public var elementType: GGUFValueType {
        switch self {
        case .uint8: return .uint8
        case .int8: return .int8
        case .uint16: return .uint16
        case .int16: return .int16
        case .uint32: return .uint32
        case .int32: return .int32
        case .float32: return .float32
        case .bool: return .bool
        case .string: return .string
        case .uint64: return .uint64
        case .int64: return .int64
        case .float64: return .float64
        case .array: return .array
        }
    }

    /// Integer elements widened to Int, or nil for non-integer arrays.
    public var integers: [Int]? {
        switch self {
        case let .uint8(a): return a.map(Int.init)
        case let .int8(a): return a.map(Int.init)
        case let .uint16(a): return a.map(Int.init)
        case let .int16(a): return a.map(Int.init)
        case let .uint32(a): return a.map(Int.init)
        case let .int32(a): return a.map(Int.init)
        case let .uint64(a): return a.map { Int(truncatingIfNeeded: $0) }
        case let .int64(a): return a.map { Int(truncatingIfNeeded: $0) }
        case let .bool(a): return a.map { $0 ? 1 : 0 }
        default: return nil
        }
    }

    /// Float elements widened to Float, or nil for non-float arrays.
    public var floats: [Float]? {
        switch self {
        case let .float32(a): return a
        case let .float64(a): return a.map(Float.init)
        default: return nil
        }
    }

    public var strings: [String]? {
        if case let .string(a) = self { return a }
        return nil
    }
}

/// One metadata value.
public enum GGUFValue: Sendable, Equatable, CustomStringConvertible {
    case uint8(UInt8), int8(Int8), uint16(UInt16), int16(Int16)
    case uint32(UInt32), int32(Int32), float32(Float), bool(Bool)
    case string(String), array(GGUFArray), uint64(UInt64), int64(Int64), float64(Double)

    public var type: GGUFValueType {
        switch self {
        case .uint8: return .uint8
        case .int8: return .int8
        case .uint16: return .uint16
        case .int16: return .int16
        case .uint32: return .uint32
        case .int32: return .int32
        case .float32: return .float32
        case .bool: return .bool
        case .string: return .string
        case .array: return .array
        case .uint64: return .uint64
        case .int64: return .int64
        case .float64: return .float64
        }
    }

    /// Any integer (or bool) value as Int.
    public var int: Int? {
        switch self {
        case let .uint8(v): return Int(v)
        case let .int8(v): return Int(v)
        case let .uint16(v): return Int(v)
        case let .int16(v): return Int(v)
        case let .uint32(v): return Int(v)
        case let .int32(v): return Int(v)
        case let .uint64(v): return Int(exactly: v)
        case let .int64(v): return Int(v)
        case let .bool(v): return v ? 1 : 0
        default: return nil
        }
    }

    /// Any numeric value as Double.
    public var double: Double? {
        switch self {
        case let .float32(v): return Double(v)
        case let .float64(v): return v
        default: return int.map(Double.init)
        }
    }

    public var float: Float? { double.map(Float.init) }

    public var bool: Bool? {
        switch self {
        case let .bool(v): return v
        default: return int.map { $0 != 0 }
        }
    }

    public var string: String? {
        if case let .string(s) = self { return s }
        return nil
    }

    public var array: GGUFArray? {
        if case let .array(a) = self { return a }
        return nil
    }

    public var description: String {
        switch self {
        case let .string(s): return s.count > 60 ? "\"\(s.prefix(57))...\"" : "\"\(s)\""
        case let .array(a): return "[\(a.elementType) × \(a.count)]"
        case let .float32(v): return "\(v)"
        case let .float64(v): return "\(v)"
        case let .bool(v): return "\(v)"
        default: return int.map { "\($0)" } ?? "?"
        }
    }
}
