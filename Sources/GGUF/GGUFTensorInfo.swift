/// One tensor's header entry: name, shape, type and where its bytes are.
public struct GGUFTensorInfo: Sendable, Equatable {
    public let name: String
    /// ggml order: `dimensions[0]` is the innermost (contiguous, row) length.
    public let dimensions: [Int]
    public let type: GGMLType
    /// Offset from the start of the data section (of part `part` in a split model).
    public let offset: Int
    public let byteCount: Int
    /// Which file of a split model (`-0000k-of-0000N.gguf`, 0-based) holds the bytes; 0 otherwise.
    public let part: Int

    public var elementCount: Int { dimensions.reduce(1, *) }
    /// Row length (`ne[0]`).
    public var columns: Int { dimensions.first ?? 1 }
    /// Number of rows: product of all dimensions but the first.
    public var rows: Int { dimensions.dropFirst().reduce(1, *) }

    public init(name: String, dimensions: [Int], type: GGMLType, offset: Int, byteCount: Int, part: Int = 0) {
        self.name = name
        self.dimensions = dimensions
        self.type = type
        self.offset = offset
        self.byteCount = byteCount
        self.part = part
    }

    /// The same entry, said to live in `part` of a split model.
    func inPart(_ part: Int) -> GGUFTensorInfo {
        GGUFTensorInfo(name: name, dimensions: dimensions, type: type, offset: offset, byteCount: byteCount, part: part)
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
