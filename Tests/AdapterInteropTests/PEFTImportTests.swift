import Foundation
import GGUF
import Models
import Testing
import TestSupport
@testable import AdapterInterop

/// Import and export rules beyond the golden fixture: scales, permutation per
/// architecture, and clear errors for what cannot be imported.
@Suite struct PEFTImportTests {
    /// A tiny model (embd 64, 4 heads, 2 kv heads, head dim 16, ff 96, 2 layers).
    static func model(_ architecture: String = "llama") throws -> GGUFFile {
        var b = TinyModelBuilder()
        b.architecture = architecture
        return try GGUFFile(bytes: try b.build().encode())
    }

    /// A PEFT directory with `modules` (e.g. `model.layers.0.self_attn.q_proj` → (outputs, inputs)) at `rank`.
    static func directory(_ modules: [(String, outputs: Int, inputs: Int)], rank: Int = 4,
                          config overrides: [String: Any] = [:], seed: UInt64 = 7) throws -> String {
        var rng = SeededRandom(seed: seed)
        var w = SafetensorsWriter(metadata: ["format": "pt"])
        for (module, outputs, inputs) in modules {
            try w.add("base_model.model.\(module).lora_A.weight", shape: [rank, inputs], floats: rng.floats(rank * inputs, scale: 0.3))
            try w.add("base_model.model.\(module).lora_B.weight", shape: [outputs, rank], floats: rng.floats(outputs * rank, scale: 0.3))
        }
        var config: [String: Any] = ["peft_type": "LORA", "task_type": "CAUSAL_LM", "r": rank, "lora_alpha": 8,
                                     "target_modules": ["q_proj", "k_proj", "v_proj"], "use_rslora": false]
        config.merge(overrides) { $1 }
        let dir = NSTemporaryPath("peft")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try w.write(to: dir + "/adapter_model.safetensors")
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: dir + "/adapter_config.json"))
        return dir
    }

    static let attention = [("model.layers.0.self_attn.q_proj", outputs: 64, inputs: 64),
                            ("model.layers.0.self_attn.k_proj", outputs: 32, inputs: 64),
                            ("model.layers.1.self_attn.v_proj", outputs: 32, inputs: 64)]

    /// lora_B as stored in the PEFT file.
    static func peftB(_ dir: String, _ module: String) throws -> [Float] {
        try SafetensorsFile(path: dir + "/adapter_model.safetensors").floats("base_model.model.\(module).lora_B.weight")
    }

    @Test func permutesQAndKForLlamaOnly() throws {
        let dir = try Self.directory(Self.attention)
        let llama = try PEFTAdapter.importAdapter(directory: dir, model: try Self.model("llama"))
        let qwen = try PEFTAdapter.importAdapter(directory: dir, model: try Self.model("qwen2"))
        let q = try Self.peftB(dir, "model.layers.0.self_attn.q_proj"), k = try Self.peftB(dir, "model.layers.0.self_attn.k_proj")
        #expect(llama.pairs["blk.0.attn_q.weight"]?.b == QKPermutation.toGGUF(q, rows: 64, columns: 4, heads: 4))
        #expect(llama.pairs["blk.0.attn_k.weight"]?.b == QKPermutation.toGGUF(k, rows: 32, columns: 4, heads: 2))
        #expect(llama.pairs["blk.0.attn_q.weight"]?.b != q)
        #expect(llama.pairs["blk.1.attn_v.weight"]?.b == (try Self.peftB(dir, "model.layers.1.self_attn.v_proj")))
        #expect(qwen.pairs["blk.0.attn_q.weight"]?.b == q)
        #expect(qwen.pairs["blk.0.attn_k.weight"]?.b == k)
        #expect(qwen.architecture == "qwen2")
    }

    /// One head of width 4: HF rows (a0 a1 b0 b1) rotate pairs (a0,b0), (a1,b1);
    /// GGUF order interleaves them as (a0 b0 a1 b1).
    @Test func permutationIsLlamaCppsAndInvertible() {
        let m: [Float] = [0, 1, 2, 3, 10, 11, 12, 13]  // (rows 8, columns 1), 2 heads of 4
        #expect(QKPermutation.toGGUF(m, rows: 8, columns: 1, heads: 2) == [0, 2, 1, 3, 10, 12, 11, 13])
        let wide = (0..<48).map(Float.init)  // (12, 4), 3 heads of 4... rows 12 = 3 · 4
        #expect(QKPermutation.toHF(QKPermutation.toGGUF(wide, rows: 12, columns: 4, heads: 3), rows: 12, columns: 4, heads: 3) == wide)
    }

    @Test func rsLoRAKeepsPEFTsScale() throws {
        let dir = try Self.directory(Self.attention, config: ["use_rslora": true])
        let adapter = try PEFTAdapter.importAdapter(directory: dir, model: try Self.model("qwen2"))
        // PEFT: alpha/√r = 8/2 = 4; stored as alpha' = 16, 16/4 = 4.
        #expect(adapter.alpha == 16)
        let p = try #require(adapter.pairs["blk.0.attn_q.weight"])
        #expect(adapter.scale(of: p) == 4)
        #expect(p.b == (try Self.peftB(dir, "model.layers.0.self_attn.q_proj")))
    }

    @Test func alphaPatternFoldsIntoB() throws {
        let dir = try Self.directory(Self.attention, config: ["alpha_pattern": ["q_proj": 32]])
        let adapter = try PEFTAdapter.importAdapter(directory: dir, model: try Self.model("qwen2"))
        let q = try Self.peftB(dir, "model.layers.0.self_attn.q_proj")
        #expect(adapter.pairs["blk.0.attn_q.weight"]?.b == q.map { $0 * 4 })  // (32/4) / (8/4)
        #expect(adapter.pairs["blk.0.attn_k.weight"]?.b == (try Self.peftB(dir, "model.layers.0.self_attn.k_proj")))
    }

    @Test func mixedRanksAndZeroAlphaExportAndReimport() throws {
        let file = try Self.model()
        var rng = SeededRandom(seed: 3)
        func pair(_ rank: Int, _ outputs: Int, _ inputs: Int) -> LoRAPair {
            LoRAPair(rank: rank, inputs: inputs, outputs: outputs, a: rng.floats(rank * inputs), b: rng.floats(outputs * rank))
        }
        for alpha: Float in [0, 6] {
            let adapter = LoRAAdapter(name: "mixed", architecture: "llama", alpha: alpha, baseModelName: nil, pairs: [
                "blk.0.attn_q.weight": pair(4, 64, 64), "blk.1.attn_q.weight": pair(4, 64, 64), "blk.1.ffn_down.weight": pair(2, 64, 96),
            ])
            let dir = NSTemporaryPath("mixed")
            try PEFTAdapter.exportAdapter(adapter, model: file, to: dir)
            let config = try PEFTConfig(path: dir + "/adapter_config.json")
            #expect(config.rank == 4)
            #expect(config.rankPattern == ["model.layers.1.mlp.down_proj": 2])
            #expect(config.baseModel == "tiny-llama")
            let back = try PEFTAdapter.importAdapter(directory: dir, model: file)
            for (name, p) in adapter.pairs {
                let q = try #require(back.pairs[name])
                // Same effective ΔW: same A, and B·scale equal.
                #expect(q.a == p.a)
                let s = adapter.scale(of: p), t = back.scale(of: q)
                #expect(zip(p.b, q.b).allSatisfy { abs($0 * s - $1 * t) <= 1e-6 * max(1, abs($0 * s)) }, "\(name) alpha \(alpha)")
            }
        }
    }

    // MARK: - Errors

    @Test func unsupportedModulesAreNamed() throws {
        let file = try Self.model()
        var dir = try Self.directory(Self.attention + [("lm_head", outputs: 40, inputs: 64)], config: ["target_modules": "q_proj|lm_head"])
        #expect(throws: PEFTError.unsupportedModules(["lm_head"])) { try PEFTAdapter.importAdapter(directory: dir, model: file) }

        dir = try Self.directory(Self.attention, config: ["target_modules": ["q_proj", "embed_tokens"]])
        #expect(throws: PEFTError.unsupportedModules(["embed_tokens"])) { try PEFTAdapter.importAdapter(directory: dir, model: file) }

        var w = SafetensorsWriter()
        try w.add("base_model.model.model.embed_tokens.lora_embedding_A", shape: [4, 40], floats: [Float](repeating: 0.1, count: 160))
        try w.add("base_model.model.model.embed_tokens.lora_embedding_B", shape: [64, 4], floats: [Float](repeating: 0.1, count: 256))
        try w.write(to: dir + "/adapter_model.safetensors")
        try JSONSerialization.data(withJSONObject: ["r": 4, "lora_alpha": 8]).write(to: URL(fileURLWithPath: dir + "/adapter_config.json"))
        #expect(throws: PEFTError.unsupportedModules(["model.embed_tokens"])) { try PEFTAdapter.importAdapter(directory: dir, model: file) }
        let message = PEFTError.unsupportedModules(["lm_head"]).description
        #expect(message.contains("'lm_head'") && message.contains("q_proj"))
    }

    /// The message of the PEFTError importing `dir` throws ("" when it throws none).
    static func importError(_ dir: String, _ file: GGUFFile) -> String {
        let error = #expect(throws: PEFTError.self) { try PEFTAdapter.importAdapter(directory: dir, model: file) }
        return error?.description ?? ""
    }

    @Test func brokenDirectoriesFailClearly() throws {
        let file = try Self.model()
        // Missing lora_B.
        var dir = try Self.directory(Self.attention)
        var w = SafetensorsWriter()
        try w.add("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight", shape: [4, 64], floats: [Float](repeating: 0, count: 256))
        try w.write(to: dir + "/adapter_model.safetensors")
        #expect(throws: PEFTError.missingHalf(module: "model.layers.0.self_attn.q_proj", missing: "lora_B.weight")) {
            try PEFTAdapter.importAdapter(directory: dir, model: file)
        }
        // Rank in the config differs from the tensors.
        #expect(Self.importError(try Self.directory(Self.attention, config: ["r": 8]), file).contains("r = 8"))
        // An adapter for another model.
        #expect(Self.importError(try Self.directory([("model.layers.0.self_attn.q_proj", outputs: 32, inputs: 32)]), file)
            .contains("another model"))
        // A layer the model does not have.
        #expect(Self.importError(try Self.directory([("model.layers.5.self_attn.q_proj", outputs: 64, inputs: 64)]), file)
            .contains("layer 5"))
        // Not LoRA, DoRA, biases.
        let configs: [(String, Any, String)] = [("peft_type", "PREFIX_TUNING", "only LORA"), ("use_dora", true, "DoRA"),
                                                ("bias", "all", "biases"), ("lora_alpha", 0, "lora_alpha")]
        for (key, value, fragment) in configs {
            #expect(Self.importError(try Self.directory(Self.attention, config: [key: value]), file).contains(fragment), "\(key)")
        }
        // Only a pickle.
        dir = try Self.directory(Self.attention)
        try FileManager.default.moveItem(atPath: dir + "/adapter_model.safetensors", toPath: dir + "/adapter_model.bin")
        #expect(Self.importError(dir, file).contains("safe_serialization=True"))
        // No config at all.
        #expect(Self.importError(NSTemporaryPath("nowhere"), file).contains("adapter_config.json' is missing"))
    }
}
