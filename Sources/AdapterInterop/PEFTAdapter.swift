import Foundation
import GGUF
import Models

/// Converts LoRA adapters between PEFT's directory format
/// (`adapter_config.json` + `adapter_model.safetensors`) and Aqyl's
/// ``LoRAAdapter`` (the llama.cpp GGUF LoRA), following llama.cpp's
/// `convert_lora_to_gguf.py`: Hugging Face module names become GGUF tensor
/// names, and for `llama` the rows of q/k lora_B are permuted (``QKPermutation``).
///
/// ```swift
/// let model = try GGUFFile(path: "model.gguf")
/// let adapter = try PEFTAdapter.importAdapter(directory: "my-lora", model: model)
/// try adapter.write(to: "my-lora.gguf")
/// ```
public enum PEFTAdapter {
    public static let configFile = "adapter_config.json"
    public static let weightsFile = "adapter_model.safetensors"

    /// Reads a PEFT LoRA directory as an adapter for `model`.
    ///
    /// PEFT's scale (alpha/r, or alpha/√r with `use_rslora`, per module with
    /// `rank_pattern` / `alpha_pattern`) is kept exactly: the adapter's alpha
    /// is `lora_alpha` (times √r for rsLoRA, so that alpha'/r = alpha/√r), and
    /// a module whose PEFT scale still differs from alpha'/rank has the
    /// difference folded into its B.
    /// - Parameters:
    ///   - name: the adapter's name; default: the directory's name.
    /// - Throws: ``PEFTError`` for a directory that is not a supported LoRA
    ///   adapter (naming unsupported modules), ``SafetensorsError`` for a
    ///   damaged weights file, ``LoRAError/wrongBase(adapter:model:reason:)``
    ///   when the shapes do not fit `model`, ``ModelError`` for a model the engine cannot run.
    public static func importAdapter(directory: String, model: GGUFFile, name: String? = nil) throws -> LoRAAdapter {
        let dir = URL(fileURLWithPath: directory)
        let config = try PEFTConfig(path: dir.appendingPathComponent(configFile).path)
        try checkTargetNames(config)
        let weightsPath = dir.appendingPathComponent(weightsFile).path
        guard FileManager.default.fileExists(atPath: weightsPath) else {
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("adapter_model.bin").path) {
                throw PEFTError.badConfig("only adapter_model.bin (a PyTorch pickle) is present; "
                    + "save the adapter with safe_serialization=True to get \(weightsFile)")
            }
            throw PEFTError.missingFile(weightsPath)
        }
        let weights = try SafetensorsFile(path: weightsPath)
        let modelConfig = try ModelConfig(file: model)
        let modules = try groupModules(weights)

        let rsScale = config.useRSLoRA == true ? Double(config.rank).squareRoot() : 1
        let alpha = config.alpha * rsScale   // alpha' with alpha'/r = PEFT's scale for rank r
        var pairs: [String: LoRAPair] = [:]
        for m in modules {
            let tensor = m.target.tensorName(layer: m.layer)
            guard m.layer < modelConfig.layers else {
                throw PEFTError.badShape(tensor: m.a.name, reason: "layer \(m.layer) but the model has \(modelConfig.layers) layers")
            }
            guard pairs[tensor] == nil else { throw PEFTError.unsupportedTensors(["\(m.a.name) (a second copy of \(tensor))"]) }
            let pair = try readPair(m, weights: weights, config: config, model: modelConfig)
            // Fold what alpha'/rank cannot express (rank_pattern with rsLoRA, alpha_pattern) into B.
            let wanted = try config.scale(module: m.module), stored = alpha / Double(pair.rank)
            var b = pair.b
            if abs(wanted - stored) > 1e-7 * abs(wanted) {
                let f = Float(wanted / stored)
                for i in b.indices { b[i] *= f }
            }
            if modelConfig.architecture == .llama, m.target == .q || m.target == .k {
                b = QKPermutation.toGGUF(b, rows: pair.outputs, columns: pair.rank,
                                         heads: m.target == .q ? modelConfig.heads : modelConfig.kvHeads)
            }
            pairs[tensor] = LoRAPair(rank: pair.rank, inputs: pair.inputs, outputs: pair.outputs, a: pair.a, b: b)
        }
        let adapter = LoRAAdapter(
            name: name ?? dir.standardizedFileURL.lastPathComponent, architecture: modelConfig.architecture.rawValue,
            alpha: Float(alpha), baseModelName: model.metadata["general.name"]?.string ?? config.baseModel, pairs: pairs)
        try adapter.validate(against: model)
        return adapter
    }

    /// Writes `adapter` as a PEFT directory (created if needed) that PEFT
    /// loads onto the Hugging Face version of `model`: `lora_alpha` and `r`
    /// reproduce llama.cpp's scale alpha/rank (an alpha of 0, which llama.cpp
    /// reads as scale 1, becomes alpha = r), other ranks go to `rank_pattern`,
    /// and llama q/k lora_B rows return to Hugging Face order.
    /// - Parameters:
    ///   - baseModelName: `base_model_name_or_path` (e.g. the Hugging Face repo id);
    ///     default: the adapter's base model name, else the model's `general.name`.
    ///   - dtype: `.f32` (exact) or `.f16`.
    /// - Throws: ``LoRAError`` if the adapter does not fit `model`,
    ///   ``PEFTError/unsupportedModules(_:)`` for tensors outside the decoder's
    ///   q,k,v,o,gate,up,down, file errors from writing.
    public static func exportAdapter(_ adapter: LoRAAdapter, model: GGUFFile, to directory: String,
                                     baseModelName: String? = nil, dtype: SafetensorsDType = .f32) throws {
        try adapter.validate(against: model)
        let modelConfig = try ModelConfig(file: model)
        var located: [(module: String, target: LoRATarget, pair: LoRAPair)] = []
        var unsupported: [String] = []
        for (tensor, pair) in adapter.pairs.sorted(by: { $0.key < $1.key }) {
            guard let (layer, target) = locate(tensor) else { unsupported.append(tensor); continue }
            located.append(("model.layers.\(layer).\(target.huggingFacePath)", target, pair))
        }
        guard unsupported.isEmpty else { throw PEFTError.unsupportedModules(unsupported) }

        // The most common rank is `r`; the others are listed per module.
        let counts = Dictionary(grouping: located, by: \.pair.rank).mapValues(\.count)
        let rank = counts.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key ?? adapter.rank
        var config = PEFTConfig(rank: rank, alpha: Double(adapter.alpha == 0 ? Float(rank) : adapter.alpha),
                                targetModules: Set(located.map { String($0.target.huggingFacePath.split(separator: ".").last ?? "") }).sorted(),
                                baseModel: baseModelName ?? adapter.baseModelName ?? model.metadata["general.name"]?.string)
        var writer = SafetensorsWriter(metadata: ["format": "pt"])
        for (module, target, pair) in located {
            if pair.rank != rank {
                config.rankPattern?[module] = pair.rank
                if adapter.alpha == 0 { config.alphaPattern?[module] = Double(pair.rank) }
            }
            var b = pair.b
            if modelConfig.architecture == .llama, target == .q || target == .k {
                b = QKPermutation.toHF(b, rows: pair.outputs, columns: pair.rank,
                                       heads: target == .q ? modelConfig.heads : modelConfig.kvHeads)
            }
            let key = "base_model.model." + module
            try writer.add(key + ".lora_A.weight", shape: [pair.rank, pair.inputs], floats: pair.a, dtype: dtype)
            try writer.add(key + ".lora_B.weight", shape: [pair.outputs, pair.rank], floats: b, dtype: dtype)
        }
        // PEFT reads absent patterns as empty.
        if config.rankPattern?.isEmpty == true { config.rankPattern = nil }
        if config.alphaPattern?.isEmpty == true { config.alphaPattern = nil }
        let dir = URL(fileURLWithPath: directory)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try writer.write(to: dir.appendingPathComponent(weightsFile).path)
        try (config.encoded() + Data("\n".utf8)).write(to: dir.appendingPathComponent(configFile), options: .atomic)
    }

    // MARK: - Names

    /// One adapted module as found in the weights file.
    struct Module {
        /// PEFT's module name without the `base_model.model.` wrapper, e.g. `model.layers.0.self_attn.q_proj`.
        let module: String
        let layer: Int
        let target: LoRATarget
        let a: SafetensorsTensorInfo
        let b: SafetensorsTensorInfo
    }

    /// Pairs lora_A with lora_B per module; everything else is an error that names it.
    static func groupModules(_ weights: SafetensorsFile) throws -> [Module] {
        var halves: [String: (a: SafetensorsTensorInfo?, b: SafetensorsTensorInfo?)] = [:]
        var unsupportedModules: [String] = [], unsupportedTensors: [String] = []
        for t in weights.tensors {
            guard let (module, isA) = splitKey(t.name) else { unsupportedTensors.append(t.name); continue }
            guard locate(module: module) != nil else {
                if !unsupportedModules.contains(module) { unsupportedModules.append(module) }
                continue
            }
            if isA { halves[module, default: (nil, nil)].a = t } else { halves[module, default: (nil, nil)].b = t }
        }
        guard unsupportedModules.isEmpty else { throw PEFTError.unsupportedModules(unsupportedModules) }
        guard unsupportedTensors.isEmpty else { throw PEFTError.unsupportedTensors(unsupportedTensors) }
        guard !halves.isEmpty else { throw PEFTError.badConfig("\(weightsFile) holds no lora_A/lora_B tensors") }
        return try halves.keys.sorted().map { module in
            guard let a = halves[module]?.a else { throw PEFTError.missingHalf(module: module, missing: "lora_A.weight") }
            guard let b = halves[module]?.b else { throw PEFTError.missingHalf(module: module, missing: "lora_B.weight") }
            guard let (layer, target) = locate(module: module) else { throw PEFTError.unsupportedModules([module]) }
            return Module(module: module, layer: layer, target: target, a: a, b: b)
        }
    }

    /// `base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight` →
    /// (`model.layers.0.self_attn.q_proj`, isA: true). Embedding LoRA
    /// (`lora_embedding_A`) also yields its module, so the error names the module.
    static func splitKey(_ key: String) -> (module: String, isA: Bool)? {
        let suffixes = [(".lora_A.weight", true), (".lora_B.weight", false), (".lora_embedding_A", true), (".lora_embedding_B", false)]
        guard let (suffix, isA) = suffixes.first(where: { key.hasSuffix($0.0) }) else { return nil }
        var module = String(key.dropLast(suffix.count))
        if module.hasPrefix("base_model.model.") { module = String(module.dropFirst("base_model.model.".count)) }
        return (module, isA)
    }

    /// (layer, target) of a module name ending in `layers.N.<huggingFacePath>`
    /// (`model.layers.…`, or `model.language_model.layers.…` in multimodal checkpoints).
    static func locate(module: String) -> (Int, LoRATarget)? {
        let parts = module.split(separator: ".").map(String.init)
        guard let i = parts.lastIndex(of: "layers"), i + 2 < parts.count, let layer = Int(parts[i + 1]), layer >= 0 else { return nil }
        let rest = parts[(i + 2)...].joined(separator: ".")
        return LoRATarget.allCases.first { $0.huggingFacePath == rest }.map { (layer, $0) }
    }

    /// (layer, target) of a GGUF base tensor name like `blk.3.ffn_up.weight`.
    static func locate(_ tensor: String) -> (Int, LoRATarget)? {
        let parts = tensor.split(separator: ".")
        guard parts.count == 4, parts[0] == "blk", let layer = Int(parts[1]), parts[3] == "weight",
              let target = LoRATarget.allCases.first(where: { $0.tensorStem == parts[2] }) else { return nil }
        return (layer, target)
    }

    /// A listed `target_modules` entry outside the supported seven (e.g.
    /// `lm_head`, `embed_tokens`) is an error even before the weights are read.
    static func checkTargetNames(_ config: PEFTConfig) throws {
        guard case let .names(names)? = config.targetModules else { return }
        let supported = Set(LoRATarget.allCases.compactMap { $0.huggingFacePath.split(separator: ".").last.map(String.init) })
        let bad = names.filter { !supported.contains(String($0.split(separator: ".").last ?? "")) }
        guard bad.isEmpty else { throw PEFTError.unsupportedModules(bad) }
    }

    // MARK: - Weights

    /// Reads one module's A and B, checking them against each other, the config and the model.
    static func readPair(_ m: Module, weights: SafetensorsFile, config: PEFTConfig, model: ModelConfig) throws -> LoRAPair {
        guard m.a.shape.count == 2 else { throw PEFTError.badShape(tensor: m.a.name, reason: "shape \(m.a.shape) is not 2-D") }
        guard m.b.shape.count == 2 else { throw PEFTError.badShape(tensor: m.b.name, reason: "shape \(m.b.shape) is not 2-D") }
        let rank = m.a.shape[0], inputs = m.a.shape[1], outputs = m.b.shape[0]
        guard m.b.shape[1] == rank, rank > 0 else {
            throw PEFTError.badShape(tensor: m.module, reason: "lora_A is \(m.a.shape) and lora_B is \(m.b.shape): ranks differ")
        }
        let expectedRank = try config.rankAndAlpha(module: m.module).rank
        guard rank == expectedRank else {
            throw PEFTError.badShape(tensor: m.a.name, reason: "rank \(rank) but adapter_config.json gives r = \(expectedRank)")
        }
        let shape = model.shape(of: m.target)
        guard inputs == shape.inputs, outputs == shape.outputs else {
            throw PEFTError.badShape(tensor: m.module, reason: "maps \(inputs) → \(outputs) but the model's "
                + "\(m.target.tensorName(layer: m.layer)) maps \(shape.inputs) → \(shape.outputs): the adapter is for another model")
        }
        return LoRAPair(rank: rank, inputs: inputs, outputs: outputs, a: try weights.floats(m.a), b: try weights.floats(m.b))
    }
}
