import Testing
import GGUF
import Kernels
@testable import Models
import TestSupport

/// The fast forward pass must agree with the plain-loop oracle.
@Suite struct FastVersusReferenceTests {
    /// Relative L2 error allowed between fast and reference logits. The fast
    /// path quantizes activations to 8 bits for quantized weights (as llama.cpp
    /// does), so it is looser than float round-off.
    static let floatTolerance: Float = 1e-4
    static let quantizedTolerance: Float = 3e-2

    static func relativeError(_ a: [Float], _ b: [Float]) -> Float {
        var num: Float = 0, den: Float = 0
        for i in 0..<a.count { num += (a[i] - b[i]) * (a[i] - b[i]); den += b[i] * b[i] }
        return (num / max(den, 1e-20)).squareRoot()
    }

    static func compare(_ builder: TinyModelBuilder, tolerance: Float, threads: Int = 2) throws {
        let file = try GGUFFile(bytes: try builder.build().encode())
        let model = try Transformer(file: file, numerics: .exact)
        let reference = ReferenceTransformer(model: model)
        let pool = ThreadPool(threads: threads)
        let cache = model.makeCache(capacity: 32)
        let prompt: [Int32] = [1, 5, 9, 2, 33, 7, 7, 20, 11]
        // Prompt as one batch: compare every position's logits.
        let all = try model.forward(prompt, cache: cache, pool: pool, logits: .all)
        let v = model.config.vocabulary
        for (t, token) in prompt.enumerated() {
            let ref = reference.step(token)
            let err = relativeError(Array(all[(t * v)..<((t + 1) * v)]), ref)
            #expect(err < tolerance, "position \(t): relative error \(err)")
        }
        // Then decode one token at a time from the cache.
        for token: Int32 in [3, 14, 15] {
            let fast = try model.forward([token], cache: cache, pool: pool)
            let err = relativeError(fast, reference.step(token))
            #expect(err < tolerance, "decode: relative error \(err)")
        }
    }

    @Test func llamaF32() throws { try Self.compare(TinyModelBuilder(), tolerance: Self.floatTolerance) }

    @Test func llamaWithRopeFactorsAndBiasesOneThread() throws {
        var b = TinyModelBuilder()
        b.ropeFrequencyFactors = true
        b.biases = true
        try Self.compare(b, tolerance: Self.floatTolerance, threads: 1)
    }

    @Test func qwen2Biases() throws {
        var b = TinyModelBuilder()
        b.architecture = "qwen2"
        b.biases = true
        try Self.compare(b, tolerance: Self.floatTolerance)
    }

    @Test func gemma3SlidingWindowF32() throws {
        try Self.compare(TinyModelBuilder.gemma3(), tolerance: Self.floatTolerance)
    }

    @Test(arguments: [GGMLType.q8_0, .q4_0, .q4_1, .q5_0, .q5_1, .f16, .bf16])
    func llamaQuantized(type: GGMLType) throws {
        var b = TinyModelBuilder()
        b.matrixType = type
        b.embeddingType = .q8_0
        try Self.compare(b, tolerance: Self.quantizedTolerance)
    }

    @Test(arguments: [GGMLType.q4_K, .q5_K, .q6_K])
    func kQuants(type: GGMLType) throws {
        var b = TinyModelBuilder()
        b.embedding = 256
        b.feedForward = 256
        b.matrixType = type
        try Self.compare(b, tolerance: Self.quantizedTolerance)
    }

    @Test func contextOverflowIsTyped() throws {
        let file = try GGUFFile(bytes: try TinyModelBuilder().build().encode())
        let model = try Transformer(file: file)
        let cache = model.makeCache(capacity: 4)
        #expect(throws: ModelError.contextOverflow(requested: 5, limit: 4)) {
            try model.forward([1, 2, 3, 4, 5], cache: cache, pool: ThreadPool(threads: 1))
        }
        #expect(throws: ModelError.self) { try model.forward([999], cache: cache, pool: ThreadPool(threads: 1)) }
    }

    @Test func unsupportedArchitectureIsTyped() throws {
        var w = try TinyModelBuilder().build()
        w.set("general.architecture", .string("mamba"))
        let file = try GGUFFile(bytes: try w.encode())
        #expect(throws: ModelError.unsupportedArchitecture("mamba")) { try Transformer(file: file) }
    }
}
