import Foundation
import GGUF
import Kernels
import Models
import Testing
import TestSupport
@testable import AdapterInterop

/// A merged model must run like the base model with the adapter applied.
@Suite struct ModelMergerTests {
    /// Relative L2 error allowed per merge type against base + adapter at run
    /// time: F32 differs only by summation order; F16 rounds the merged weights;
    /// Q8_0 rounds them to 8 bits and the engine also rounds activations to
    /// 8 bits for Q8_0 matmuls (measured: F32 4e-7, F16 7e-4, Q8_0 2.4e-2).
    static let tolerance: [MergeType: Float] = [.keep: 1e-5, .f32: 1e-5, .f16: 2e-3, .q8_0: 5e-2]

    @Test(arguments: [MergeType.keep, .f16, .q8_0])
    func mergedLogitsMatchAdapterAtRunTime(_ type: MergeType) throws {
        let file = try GGUFFile(path: PEFTFixture.model)
        let adapter = try PEFTAdapter.importAdapter(directory: PEFTFixture.adapterDirectory, model: file)
        let path = NSTemporaryPath("merged-\(type.rawValue).gguf")
        let merged = try ModelMerger.merge(model: file, adapters: [(adapter, 1)], type: type, to: path)
        #expect(merged.count == 14)
        let out = try GGUFFile(path: path)

        for c in try PEFTFixture.golden().cases {
            let runtime = try PEFTFixture.logits(file, tokens: c.tokens, adapters: [(adapter, 1)])
            let baked = try PEFTFixture.logits(out, tokens: c.tokens)
            let error = PEFTFixture.relativeError(baked, runtime)
            #expect(error < Self.tolerance[type] ?? 0, "\(type) tokens \(c.tokens): relative L2 error \(error)")
            if type == .keep {
                let golden = PEFTFixture.maxDifference(baked, c.adapted.flatMap { $0 })
                #expect(golden < PEFTFixture.logitTolerance, "merged vs numpy: \(golden)")
            }
        }

        // Metadata and tensor order as in the base; untouched tensors byte-identical.
        #expect(out.metadataKeys == file.metadataKeys)
        #expect(out.alignment == file.alignment)
        #expect(out.tensors.map(\.name) == file.tensors.map(\.name))
        for (a, b) in zip(file.tensors, out.tensors) {
            #expect(a.dimensions == b.dimensions)
            if merged.contains(a.name) {
                #expect(b.type == (type == .keep ? a.type : type == .f16 ? .f16 : .q8_0))
            } else {
                #expect(b.type == a.type && Array(file.tensorData(a)) == Array(out.tensorData(b)), "\(a.name)")
            }
        }
    }

    /// Two adapters with user scales add up: (A, 0.5) + (A, 0.5) = (A, 1).
    @Test func scalesOfSeveralAdaptersAdd() throws {
        let file = try GGUFFile(path: PEFTFixture.model)
        let adapter = try PEFTAdapter.importAdapter(directory: PEFTFixture.adapterDirectory, model: file)
        let (halves, _) = try ModelMerger.merged(model: file, adapters: [(adapter, 0.5), (adapter, 0.5)], type: .f32)
        let (whole, _) = try ModelMerger.merged(model: file, adapters: [(adapter, 1)], type: .f32)
        let a = try GGUFFile(bytes: try halves.encode()), b = try GGUFFile(bytes: try whole.encode())
        let tokens: [Int32] = [3, 1, 4, 1, 5]
        #expect(PEFTFixture.maxDifference(try PEFTFixture.logits(a, tokens: tokens), try PEFTFixture.logits(b, tokens: tokens)) < 1e-4)
    }

    /// A quantized base (Q8_0) merged as `keep` stays Q8_0 and runs like base + adapter.
    @Test func mergesIntoQuantizedModel() throws {
        var builder = TinyModelBuilder()
        builder.matrixType = .q8_0
        let file = try GGUFFile(bytes: try builder.build().encode())
        var rng = SeededRandom(seed: 11)
        let adapter = LoRAAdapter(name: "t", architecture: "llama", alpha: 16, baseModelName: nil, pairs: [
            "blk.1.ffn_up.weight": LoRAPair(rank: 8, inputs: 64, outputs: 96, a: rng.floats(512, scale: 0.2), b: rng.floats(768, scale: 0.2)),
        ])
        let (w, merged) = try ModelMerger.merged(model: file, adapters: [(adapter, 1)], type: .keep)
        #expect(merged == ["blk.1.ffn_up.weight"])
        let out = try GGUFFile(bytes: try w.encode())
        #expect(out.tensor(named: "blk.1.ffn_up.weight")?.type == .q8_0)
        let tokens: [Int32] = [2, 7, 1, 8]
        let baked = try PEFTFixture.logits(out, tokens: tokens)
        let runtime = try PEFTFixture.logits(file, tokens: tokens, adapters: [(adapter, 1)])
        // Q8_0 rounds the merged weights (and the engine rounds activations to
        // 8 bits for Q8_0 matmuls, which the run-time LoRA term escapes): 1% in L2.
        let error = PEFTFixture.relativeError(baked, runtime)
        #expect(error < 1e-2, "relative L2 error \(error)")
        // And the adapter's effect is far larger than that.
        #expect(PEFTFixture.relativeError(try PEFTFixture.logits(file, tokens: tokens), runtime) > 5e-2)
    }

    @Test func refusesWhatItCannotDo() throws {
        let file = try GGUFFile(path: PEFTFixture.model)
        #expect(throws: MergeError.noAdapters) { try ModelMerger.merged(model: file, adapters: [], type: .f16) }
        let adapter = try PEFTAdapter.importAdapter(directory: PEFTFixture.adapterDirectory, model: file)
        #expect(throws: MergeError.badScale(adapter: "adapter", scale: .infinity)) {
            try ModelMerger.merged(model: file, adapters: [(adapter, .infinity)], type: .f16)
        }
        // Rows of 48 values are not whole Q8_0 blocks.
        var builder = TinyModelBuilder()
        builder.embedding = 48
        builder.heads = 4
        builder.kvHeads = 2
        let narrow = try GGUFFile(bytes: try builder.build().encode())
        let pair = LoRAPair(rank: 2, inputs: 48, outputs: 48, a: [Float](repeating: 0.1, count: 96), b: [Float](repeating: 0.1, count: 96))
        let small = LoRAAdapter(name: "s", architecture: "llama", alpha: 2, baseModelName: nil, pairs: ["blk.0.attn_q.weight": pair])
        let error = #expect(throws: MergeError.self) { try ModelMerger.merged(model: narrow, adapters: [(small, 1)], type: .q8_0) }
        #expect(error?.description.contains("blk.0.attn_q.weight") == true)
        // An adapter for another model.
        #expect(throws: LoRAError.self) { try ModelMerger.merged(model: file, adapters: [(small, 1)], type: .f16) }
    }
}
