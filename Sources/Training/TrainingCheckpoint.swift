import Foundation
import GGUF

/// The full state of a run after `step` optimizer steps: options, adapter
/// values and AdamW moments, and the loss history. Resuming from it gives
/// bit-for-bit the run that never stopped (same seed and thread count).
/// Stored as GGUF (one JSON metadata string plus three F32 tensors).
public struct TrainingCheckpoint: Sendable {
    public struct State: Codable, Sendable, Equatable {
        public var format = "aqyl-lora-checkpoint/1"
        public var options: TrainingOptions
        public var step: Int
        public var totalSteps: Int
        public var history: [LossRecord]
        public var baseModel: String
        public var parameterCount: Int
        public var trainedTokens: Int
        public var elapsedSeconds: Double
    }

    public var state: State
    public var values: [Float]
    public var firstMoment: [Float]
    public var secondMoment: [Float]

    public func write(to path: String) throws {
        var w = GGUFWriter()
        let json = try JSONEncoder().encode(state)
        w.set("general.type", .string("aqyl-checkpoint"))
        w.set("aqyl.checkpoint.state", .string(String(decoding: json, as: UTF8.self)))
        let n = values.count
        try w.addTensor(name: "lora.values", dimensions: [max(n, 1)], floats: n > 0 ? values : [0])
        try w.addTensor(name: "lora.m", dimensions: [max(n, 1)], floats: n > 0 ? firstMoment : [0])
        try w.addTensor(name: "lora.v", dimensions: [max(n, 1)], floats: n > 0 ? secondMoment : [0])
        try w.write(to: path)
    }

    public init(state: State, values: [Float], firstMoment: [Float], secondMoment: [Float]) {
        self.state = state
        self.values = values
        self.firstMoment = firstMoment
        self.secondMoment = secondMoment
    }

    public init(path: String) throws {
        let file = try GGUFFile(path: path)
        guard file.metadata["general.type"]?.string == "aqyl-checkpoint",
              let text = file.metadata["aqyl.checkpoint.state"]?.string else {
            throw TrainingOptionsError.invalid("\(path) is not an Aqyl training checkpoint")
        }
        let state = try JSONDecoder().decode(State.self, from: Data(text.utf8))
        self.state = state
        func floats(_ name: String) throws -> [Float] {
            guard let t = file.tensor(named: name), t.type == .f32, t.elementCount == max(state.parameterCount, 1) else {
                throw TrainingOptionsError.invalid("checkpoint \(path): tensor \(name) is missing or has the wrong size")
            }
            let raw = file.tensorData(t)
            return (0..<t.elementCount).map { raw.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) }
        }
        values = try floats("lora.values")
        firstMoment = try floats("lora.m")
        secondMoment = try floats("lora.v")
    }
}

/// One row of the loss curve.
public struct LossRecord: Codable, Sendable, Equatable {
    public var step: Int
    public var epoch: Double
    public var learningRate: Float
    /// Mean cross-entropy (nats per scored token) of this step's sequences.
    public var loss: Double
    public var evalLoss: Double?
    public var tokens: Int
    public var elapsedSeconds: Double
}
