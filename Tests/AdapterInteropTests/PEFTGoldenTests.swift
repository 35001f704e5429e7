import Foundation
import GGUF
import Models
import Testing
import TestSupport
@testable import AdapterInterop

/// A PEFT adapter imported into Aqyl must give the logits that the Hugging
/// Face convention gives (computed independently in numpy), and export back
/// to the same tensors.
@Suite struct PEFTGoldenTests {
    @Test func baseModelMatchesNumpy() throws {
        let file = try GGUFFile(path: PEFTFixture.model)
        for c in try PEFTFixture.golden().cases {
            let diff = PEFTFixture.maxDifference(try PEFTFixture.logits(file, tokens: c.tokens), c.base.flatMap { $0 })
            #expect(diff < PEFTFixture.logitTolerance, "tokens \(c.tokens): max |Δlogit| \(diff)")
        }
    }

    @Test func importedAdapterMatchesNumpy() throws {
        let file = try GGUFFile(path: PEFTFixture.model)
        let adapter = try PEFTAdapter.importAdapter(directory: PEFTFixture.adapterDirectory, model: file)
        #expect(adapter.name == "adapter")
        #expect(adapter.architecture == "llama")
        #expect(adapter.alpha == 8 && adapter.rank == 4)
        #expect(adapter.pairs.count == 14 && adapter.targets == LoRATarget.allCases)
        #expect(adapter.baseModelName == "tiny-llama-peft")
        for c in try PEFTFixture.golden().cases {
            let got = try PEFTFixture.logits(file, tokens: c.tokens, adapters: [(adapter, 1)])
            let diff = PEFTFixture.maxDifference(got, c.adapted.flatMap { $0 })
            #expect(diff < PEFTFixture.logitTolerance, "tokens \(c.tokens): max |Δlogit| \(diff)")
            // The adapter must matter, or the comparison above proves nothing.
            #expect(PEFTFixture.maxDifference(got, c.base.flatMap { $0 }) > 0.5)
        }
    }

    /// Without the q/k row permutation (lora_B left in Hugging Face order) the
    /// logits must not match: the golden comparison can fail.
    @Test func unpermutedAdapterDoesNotMatch() throws {
        let file = try GGUFFile(path: PEFTFixture.model)
        let config = try ModelConfig(file: file)
        var adapter = try PEFTAdapter.importAdapter(directory: PEFTFixture.adapterDirectory, model: file)
        for (name, p) in adapter.pairs where name.contains("attn_q") || name.contains("attn_k") {
            var q = p
            q.b = QKPermutation.toHF(p.b, rows: p.outputs, columns: p.rank,
                                     heads: name.contains("attn_q") ? config.heads : config.kvHeads)
            #expect(q.b != p.b)
            adapter.pairs[name] = q
        }
        for c in try PEFTFixture.golden().cases {
            let diff = PEFTFixture.maxDifference(try PEFTFixture.logits(file, tokens: c.tokens, adapters: [(adapter, 1)]),
                                                 c.adapted.flatMap { $0 })
            #expect(diff > 20 * PEFTFixture.logitTolerance, "tokens \(c.tokens): unpermuted adapter still matches (\(diff))")
        }
    }

    @Test func exportRoundTripsExactly() throws {
        let file = try GGUFFile(path: PEFTFixture.model)
        let adapter = try PEFTAdapter.importAdapter(directory: PEFTFixture.adapterDirectory, model: file)
        let out = NSTemporaryPath("peft-export")
        try PEFTAdapter.exportAdapter(adapter, model: file, to: out, baseModelName: "tiny-llama-peft")

        // Same tensor names and bit-identical values as the PEFT original.
        let original = try SafetensorsFile(path: PEFTFixture.adapterDirectory + "/" + PEFTAdapter.weightsFile)
        let exported = try SafetensorsFile(path: out + "/" + PEFTAdapter.weightsFile)
        #expect(exported.tensors.map(\.name) == original.tensors.map(\.name))
        #expect(exported.metadata == ["format": "pt"])
        for t in original.tensors {
            #expect(try exported.floats(t.name) == original.floats(t), "\(t.name)")
            #expect(exported.tensor(named: t.name)?.shape == t.shape)
        }
        let config = try PEFTConfig(path: out + "/" + PEFTAdapter.configFile)
        #expect(config.rank == 4 && config.alpha == 8 && config.baseModel == "tiny-llama-peft")
        #expect(config.targetModules == .names(["down_proj", "gate_proj", "k_proj", "o_proj", "q_proj", "up_proj", "v_proj"]))
        #expect(config.useRSLoRA == false && config.peftType == "LORA" && config.taskType == "CAUSAL_LM")

        // And it imports to the same adapter.
        var again = try PEFTAdapter.importAdapter(directory: out, model: file)
        again.name = adapter.name
        #expect(again == adapter)
    }

    /// The GGUF adapter file (what llama.cpp loads) carries the import unchanged.
    @Test func importedAdapterSurvivesGGUF() throws {
        let file = try GGUFFile(path: PEFTFixture.model)
        let adapter = try PEFTAdapter.importAdapter(directory: PEFTFixture.adapterDirectory, model: file, name: "kk")
        let path = NSTemporaryPath("kk.gguf")
        try adapter.write(to: path)
        var back = try LoRAAdapter(path: path)
        #expect(back.name.hasSuffix("kk"))
        back.name = adapter.name
        #expect(back == adapter)
    }
}
