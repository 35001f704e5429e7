/// One tensor's header entry: name, shape, type and where its bytes are.
public struct GGUFTensorInfo: Sendable, Equatable {
    public let name: String
    /// ggml order: `dimensions[0]` is the innermost (contiguous, row) length.
    public let dimensions: [Int]
    public let type: GGMLType
    /// Offset from the start of the data section.
    public let offset: Int
    public let byteCount: Int

    public var elementCount: Int { dimensions.reduce(1, *) }
    /// Row length (`ne[0]`).
    public var columns: Int { dimensions.first ?? 1 }
    /// Number of rows: product of all dimensions but the first.
    public var rows: Int { dimensions.dropFirst().reduce(1, *) }

    public init(name: String, dimensions: [Int], type: GGMLType, offset: Int, byteCount: Int) {
        self.name = name
        self.dimensions = dimensions
        self.type = type
        self.offset = offset
        self.byteCount = byteCount
    }

    /// Bytes a tensor of this shape and type occupies, or nil on overflow / partial blocks.
    public static func byteCount(type: GGMLType, dimensions: [Int]) -> Int? {
        guard let first = dimensions.first, let row = type.rowBytes(first) else { return nil }
        var total = row
        for d in dimensions.dropFirst() {
            let (t, o) = total.multipliedReportingOverflow(by: d)
            if o { return nil }
            total = t
        }
        return total
    }
}
