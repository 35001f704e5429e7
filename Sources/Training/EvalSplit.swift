import Foundation
import Kernels

/// Held-out sequences taken from the training data when no eval file is given, so
/// a run on a small text can see itself overfit (the habit of the trainers people
/// know: a validation split, loss on it every few steps, the best checkpoint kept).
public enum EvalSplit: Sendable, Equatable {
    /// 10% when the data is small (at most ``smallData`` sequences), none otherwise.
    case auto
    case fraction(Double)

    /// Data with at most this many sequences counts as small.
    public static let smallData = 200
    /// The fraction `auto` holds out.
    public static let autoFraction = 0.1
    /// Fewer sequences than this are not split: one would be left to learn or to judge.
    public static let minimumSequences = 4

    /// `auto`, `0` (off) or a fraction in (0, 0.5].
    public init?(argument: String) {
        if argument == "auto" { self = .auto; return }
        guard let f = Double(argument), f.isFinite, f >= 0, f <= 0.5 else { return nil }
        self = .fraction(f)
    }

    /// The fraction to hold out of `sequences`, 0 when none.
    public func fraction(sequences: Int) -> Double {
        guard sequences >= Self.minimumSequences else { return 0 }
        switch self {
        case .auto: return sequences <= Self.smallData ? Self.autoFraction : 0
        case let .fraction(f): return f
        }
    }

    /// Splits `data` into (train, held-out). Plain text keeps its order and holds out
    /// the tail (neighbouring windows share topics, so the held-out part is the
    /// text's end, not windows between training ones); records are picked with `seed`.
    public func split(_ data: TrainingDataset, seed: UInt64) -> (train: TrainingDataset, eval: TrainingDataset?) {
        let n = data.examples.count
        let f = fraction(sequences: n)
        guard f > 0 else { return (data, nil) }
        let k = min(n - 1, max(1, Int((Double(n) * f).rounded())))
        var held: Set<Int>
        switch data.format {
        case .text, .textJSONL:
            // A text's last window is usually a short remainder, which judges little:
            // then it goes along with k full windows.
            let full = data.examples.map(\.tokens.count).max() ?? 0
            let shortTail = (data.examples.last?.tokens.count ?? 0) * 2 < full && n - k - 1 >= 1
            held = Set((n - k - (shortTail ? 1 : 0))..<n)
        case .chat, .instruction:
            var rng = SplitMix64(seed: seed ^ 0x5EED_E7A1)
            var order = Array(0..<n)
            for j in stride(from: n - 1, to: 0, by: -1) { order.swapAt(j, Int(rng.next() % UInt64(j + 1))) }
            held = Set(order.prefix(k))
        }
        var train = data, eval = data
        train.examples = data.examples.indices.filter { !held.contains($0) }.map { data.examples[$0] }
        eval.examples = data.examples.indices.filter { held.contains($0) }.map { data.examples[$0] }
        eval.issues = []
        eval.truncated = 0
        return (train, eval)
    }
}
