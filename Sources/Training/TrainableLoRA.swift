import Foundation
import GGUF
import Kernels
import Models

/// The trainable LoRA matrices of a run, with their gradients and AdamW
/// moments, in four flat F32 buffers that share one layout (so the optimizer
/// step and checkpoints are single loops over memory).
public final class TrainableLoRA: @unchecked Sendable {
    // @unchecked: used by one training loop at a time.
    /// Where one adapted matrix lives in the flat buffers.
    public struct Slot: Sendable {
        public let layer: Int
        public let target: LoRATarget
        public let rank: Int
        public let inputs: Int
        public let outputs: Int
        /// Offset of A (rank, inputs); B (outputs, rank) follows it.
        public let offset: Int
        public var aCount: Int { rank * inputs }
        public var bOffset: Int { offset + aCount }
        public var count: Int { rank * (inputs + outputs) }
    }

    /// Rows of new vocabulary tokens trained in full (`--train-embeddings new`): rows
    /// `first..<first+count` of the token embedding and, when the output matrix is untied,
    /// of the output matrix, stored after the LoRA slots in the same flat buffers (so the
    /// optimizer, clipping, checkpoints and best/last snapshots cover them too).
    public struct NewTokenRows: Sendable, Equatable {
        public let first: Int
        public let count: Int
        public let width: Int
        /// Offset of the input rows (count, width).
        public let inputOffset: Int
        /// Offset of the output rows; the input rows' offset when the output matrix is the embedding.
        public let outputOffset: Int
        public var tied: Bool { inputOffset == outputOffset }
    }

    /// Initial values of the new token rows.
    public struct NewTokenInit: Sendable {
        public var first: Int
        /// (count, width) embedding rows.
        public var input: [Float]
        /// (count, width) output rows of an untied output matrix; nil when tied.
        public var output: [Float]?
        public init(first: Int, input: [Float], output: [Float]?) {
            self.first = first
            self.input = input
            self.output = output
        }
    }

    public let rank: Int
    public let alpha: Float
    public let targets: [LoRATarget]
    public let slots: [Slot]
    /// slotIndex[layer][target.index] or nil when that matrix is not adapted.
    let slotIndex: [[Int?]]
    public let count: Int
    public let newTokenRows: NewTokenRows?
    public let values: UnsafeMutablePointer<Float>
    public let gradients: UnsafeMutablePointer<Float>
    public let firstMoment: UnsafeMutablePointer<Float>
    public let secondMoment: UnsafeMutablePointer<Float>
    /// Bᵀ (rank, outputs) of each slot at its B offset, for products that run
    /// along the outputs; refreshed by `refreshTransposes()` after values change.
    let transposedB: UnsafeMutablePointer<Float>

    /// scale = alpha / rank, as llama.cpp and PEFT apply it.
    public var scale: Float { alpha / Float(rank) }

    /// New adapter: A uniform in ±1/√inputs (PEFT's kaiming_uniform(a=√5)), B = 0,
    /// so training starts from the base model exactly.
    public init(config: ModelConfig, targets: [LoRATarget], rank: Int, alpha: Float, seed: UInt64, newTokens: NewTokenInit? = nil) {
        self.rank = rank
        self.alpha = alpha
        self.targets = LoRATarget.allCases.filter { targets.contains($0) }
        var slots: [Slot] = []
        var index = [[Int?]](repeating: [Int?](repeating: nil, count: LoRATarget.allCases.count), count: config.layers)
        var offset = 0
        for l in 0..<config.layers {
            for t in self.targets {
                let (outputs, inputs) = config.shape(of: t)
                index[l][t.index] = slots.count
                slots.append(Slot(layer: l, target: t, rank: rank, inputs: inputs, outputs: outputs, offset: offset))
                offset += rank * (inputs + outputs)
            }
        }
        self.slots = slots
        slotIndex = index
        let loraCount = offset
        if let t = newTokens {
            let width = config.embedding
            let rows = t.input.count / max(width, 1)
            precondition(rows * width == t.input.count && (t.output?.count ?? t.input.count) == t.input.count,
                         "TrainableLoRA: new token rows of another width")
            let input = offset
            offset += t.input.count
            let output = t.output == nil ? input : offset
            offset += t.output?.count ?? 0
            newTokenRows = NewTokenRows(first: t.first, count: rows, width: width, inputOffset: input, outputOffset: output)
        } else {
            newTokenRows = nil
        }
        count = offset
        func buffer(_ n: Int) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(n, 1))
            p.initialize(repeating: 0, count: max(n, 1))
            return p
        }
        values = buffer(offset)
        gradients = buffer(offset)
        firstMoment = buffer(offset)
        secondMoment = buffer(offset)
        // Bᵀ copies exist only for the LoRA slots, not for new-token rows.
        transposedB = buffer(loraCount)
        var rng = SplitMix64(seed: seed)
        for s in slots {
            let bound = 1 / Float(s.inputs).squareRoot()
            for i in 0..<s.aCount { values[s.offset + i] = rng.uniform(-bound, bound) }
        }
        if let r = newTokenRows, let t = newTokens {
            t.input.withUnsafeBufferPointer { (values + r.inputOffset).update(from: $0.baseAddress!, count: $0.count) }
            t.output?.withUnsafeBufferPointer { (values + r.outputOffset).update(from: $0.baseAddress!, count: $0.count) }
        }
    }

    /// The new token rows of a ``valueSnapshot`` (or of the current values): the embedding
    /// rows and, for an untied output matrix, the output rows.
    public func newTokenValues(snapshot: [Float]? = nil) -> (input: [Float], output: [Float]?)? {
        guard let r = newTokenRows else { return nil }
        let source = snapshot ?? valueSnapshot
        let n = r.count * r.width
        let input = Array(source[r.inputOffset..<(r.inputOffset + n)])
        return (input, r.tied ? nil : Array(source[r.outputOffset..<(r.outputOffset + n)]))
    }

    deinit {
        values.deallocate()
        gradients.deallocate()
        firstMoment.deallocate()
        secondMoment.deallocate()
        transposedB.deallocate()
    }

    /// Recomputes Bᵀ for every slot from `values`.
    public func refreshTransposes() {
        for s in slots {
            let b = values + s.bOffset, bt = transposedB + s.bOffset
            for o in 0..<s.outputs {
                for k in 0..<s.rank { bt[k * s.outputs + o] = b[o * s.rank + k] }
            }
        }
    }

    func slot(layer: Int, target: LoRATarget) -> Slot? {
        slotIndex[layer][target.index].map { slots[$0] }
    }

    public func zeroGradients() { gradients.update(repeating: 0, count: count) }

    /// A copy of every A and B, in slot order.
    public var valueSnapshot: [Float] { Array(UnsafeBufferPointer(start: values, count: count)) }

    /// Sets every A and B from a ``valueSnapshot``.
    public func restore(_ snapshot: [Float]) {
        precondition(snapshot.count == count, "TrainableLoRA.restore: a snapshot of another adapter")
        snapshot.withUnsafeBufferPointer { values.update(from: $0.baseAddress!, count: count) }
        refreshTransposes()
    }

    /// Takes A and B of every slot from `adapter` (same targets, ranks and shapes).
    /// - Throws: ``TrainingOptionsError/invalid(_:)`` naming the first pair that is
    ///   missing or shaped differently.
    public func setValues(from adapter: LoRAAdapter) throws {
        for s in slots {
            let name = s.target.tensorName(layer: s.layer)
            guard let pair = adapter.pairs[name] else { throw TrainingOptionsError.invalid("the adapter has no \(name)") }
            guard pair.rank == s.rank, pair.inputs == s.inputs, pair.outputs == s.outputs else {
                throw TrainingOptionsError.invalid(
                    "\(name) is rank \(pair.rank), \(pair.inputs)→\(pair.outputs); expected rank \(s.rank), \(s.inputs)→\(s.outputs)")
            }
            pair.a.withUnsafeBufferPointer { (values + s.offset).update(from: $0.baseAddress!, count: s.aCount) }
            pair.b.withUnsafeBufferPointer { (values + s.bOffset).update(from: $0.baseAddress!, count: s.outputs * s.rank) }
        }
        refreshTransposes()
    }

    /// The adapter as llama.cpp's GGUF LoRA stores it.
    /// (`snapshot`: from a ``valueSnapshot`` instead of the current values.)
    public func adapter(name: String, architecture: String, baseModelName: String?, snapshot: [Float]? = nil) -> LoRAAdapter {
        var pairs: [String: LoRAPair] = [:]
        let source = snapshot ?? valueSnapshot
        for s in slots {
            let a = Array(source[s.offset..<(s.offset + s.aCount)])
            let b = Array(source[s.bOffset..<(s.bOffset + s.outputs * s.rank)])
            pairs[s.target.tensorName(layer: s.layer)] = LoRAPair(rank: s.rank, inputs: s.inputs, outputs: s.outputs, a: a, b: b)
        }
        return LoRAAdapter(name: name, architecture: architecture, alpha: alpha, baseModelName: baseModelName, pairs: pairs)
    }
}
