/// How a sequence's final hidden states (the output-normed rows, llama.cpp's
/// `result_norm`) become one embedding: llama.cpp's pooling types by the same names.
public enum EmbeddingPooling: String, Sendable, CaseIterable, Codable {
    /// The average over every token, BOS included.
    case mean
    /// The last token's row.
    case last
    /// The first token's row.
    case cls

    /// From GGUF `<arch>.pooling_type` (llama.cpp: 1 mean, 2 cls, 3 last); nil for none/unknown.
    public init?(ggufValue: Int) {
        switch ggufValue {
        case 1: self = .mean
        case 2: self = .cls
        case 3: self = .last
        default: return nil
        }
    }
}

/// Pools rows as they arrive (a prompt is evaluated in chunks), then L2-normalizes.
struct EmbeddingAccumulator {
    let pooling: EmbeddingPooling
    let width: Int
    private var sum: [Double]
    private var count = 0
    private var first: [Float]?
    private var last: [Float]?

    init(pooling: EmbeddingPooling, width: Int) {
        self.pooling = pooling
        self.width = width
        sum = pooling == .mean ? [Double](repeating: 0, count: width) : []
    }

    /// Adds `rows` consecutive rows of `width` (in prompt order).
    mutating func add(_ rows: ArraySlice<Float>) {
        let n = rows.count / width
        guard n > 0 else { return }
        let base = rows.startIndex
        switch pooling {
        case .mean:
            for r in 0..<n { for i in 0..<width { sum[i] += Double(rows[base + r * width + i]) } }
        case .cls:
            if first == nil { first = Array(rows[base..<(base + width)]) }
        case .last:
            last = Array(rows[(base + (n - 1) * width)..<(base + n * width)])
        }
        count += n
    }

    /// The pooled, L2-normalized vector (a zero vector stays zero).
    func result() -> [Float] {
        var v: [Double]
        switch pooling {
        case .mean: v = sum.map { $0 / Double(max(count, 1)) }
        case .cls: v = (first ?? []).map(Double.init)
        case .last: v = (last ?? []).map(Double.init)
        }
        let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        if norm > 0 { v = v.map { $0 / norm } }
        return v.map(Float.init)
    }
}
