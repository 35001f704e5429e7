import FileContents
import Foundation

/// The parts of PEFT's `adapter_config.json` (a `LoraConfig`) that decide how
/// the weights are applied. Unknown keys are ignored, as PEFT ignores them.
public struct PEFTConfig: Codable, Sendable, Equatable {
    /// Which modules the adapter wraps: a list of names or one regular expression.
    public enum TargetModules: Codable, Sendable, Equatable {
        case names([String])
        case pattern(String)

        public init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let s = try? c.decode(String.self) { self = .pattern(s) } else { self = .names(try c.decode([String].self)) }
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case let .names(ns): try c.encode(ns)
            case let .pattern(p): try c.encode(p)
            }
        }
    }

    public var peftType: String?
    public var taskType: String?
    public var rank: Int
    public var alpha: Double
    public var targetModules: TargetModules?
    public var baseModel: String?
    /// Scale alpha/√r instead of alpha/r.
    public var useRSLoRA: Bool?
    public var useDoRA: Bool?
    /// Per-module rank and alpha, keyed by PEFT's module-name patterns.
    public var rankPattern: [String: Int]?
    public var alphaPattern: [String: Double]?
    public var modulesToSave: [String]?
    public var bias: String?
    public var fanInFanOut: Bool?
    public var inferenceMode: Bool?
    public var dropout: Double?

    enum CodingKeys: String, CodingKey {
        case peftType = "peft_type", taskType = "task_type", rank = "r", alpha = "lora_alpha"
        case targetModules = "target_modules", baseModel = "base_model_name_or_path"
        case useRSLoRA = "use_rslora", useDoRA = "use_dora", rankPattern = "rank_pattern", alphaPattern = "alpha_pattern"
        case modulesToSave = "modules_to_save", bias, fanInFanOut = "fan_in_fan_out", inferenceMode = "inference_mode"
        case dropout = "lora_dropout"
    }

    public init(rank: Int, alpha: Double, targetModules: [String], baseModel: String?) {
        peftType = "LORA"
        taskType = "CAUSAL_LM"
        self.rank = rank
        self.alpha = alpha
        self.targetModules = .names(targetModules)
        self.baseModel = baseModel
        useRSLoRA = false
        useDoRA = false
        rankPattern = [:]
        alphaPattern = [:]
        bias = "none"
        fanInFanOut = false
        inferenceMode = true
        dropout = 0
    }

    /// Reads and checks `adapter_config.json`.
    /// - Throws: ``PEFTError/badConfig(_:)`` for a non-LoRA or unsupported configuration.
    public init(path: String) throws {
        guard let data = FileContents.readIfPresent(path) else { throw PEFTError.missingFile(path) }
        do {
            self = try JSONDecoder().decode(PEFTConfig.self, from: data)
        } catch let DecodingError.keyNotFound(key, _) {
            throw PEFTError.badConfig("missing '\(key.stringValue)'")
        } catch let DecodingError.typeMismatch(_, context) {
            throw PEFTError.badConfig("'\(context.codingPath.map(\.stringValue).joined(separator: "."))' has the wrong type")
        } catch {
            throw PEFTError.badConfig("not valid JSON (\(error))")
        }
        try validate()
    }

    /// Rejects what Aqyl would apply differently from PEFT.
    func validate() throws {
        if let t = peftType, t.uppercased() != "LORA" { throw PEFTError.badConfig("peft_type is '\(t)'; only LORA adapters can be imported") }
        if let t = taskType, t.uppercased() != "CAUSAL_LM" {
            throw PEFTError.badConfig("task_type is '\(t)'; only CAUSAL_LM adapters fit a decoder model")
        }
        guard rank > 0 else { throw PEFTError.badConfig("r must be positive, got \(rank)") }
        guard alpha.isFinite, alpha != 0 else { throw PEFTError.badConfig("lora_alpha must be a non-zero number, got \(alpha)") }
        if useDoRA == true { throw PEFTError.badConfig("use_dora is true; DoRA adapters are not supported") }
        if let b = bias, b != "none" { throw PEFTError.badConfig("bias is '\(b)'; only adapters without trained biases are supported") }
        if let ms = modulesToSave, !ms.isEmpty {
            throw PEFTError.unsupportedModules(ms.map { "\($0) (modules_to_save)" })
        }
        if let bad = rankPattern?.first(where: { $0.value <= 0 }) { throw PEFTError.badConfig("rank_pattern '\(bad.key)' is \(bad.value)") }
        if let bad = alphaPattern?.first(where: { !$0.value.isFinite || $0.value == 0 }) {
            throw PEFTError.badConfig("alpha_pattern '\(bad.key)' is \(bad.value)")
        }
    }

    /// PEFT's rank and alpha for one module (`model.layers.0.self_attn.q_proj`):
    /// the first pattern key that matches the end of the name, as PEFT's
    /// `get_pattern_key` looks it up, else `r` / `lora_alpha`.
    func rankAndAlpha(module: String) throws -> (rank: Int, alpha: Double) {
        var r = rank, a = alpha
        if let key = try Self.patternKey(rankPattern?.keys.sorted() ?? [], module: module), let v = rankPattern?[key] { r = v }
        if let key = try Self.patternKey(alphaPattern?.keys.sorted() ?? [], module: module), let v = alphaPattern?[key] { a = v }
        return (r, a)
    }

    /// The multiplier PEFT applies to B·A of one module.
    func scale(module: String) throws -> Double {
        let (r, a) = try rankAndAlpha(module: module)
        return useRSLoRA == true ? a / Double(r).squareRoot() : a / Double(r)
    }

    private static func patternKey(_ keys: [String], module: String) throws -> String? {
        for key in keys {
            guard let re = try? NSRegularExpression(pattern: "^(.*\\.)?(" + key + ")$") else {
                throw PEFTError.badConfig("pattern '\(key)' is not a valid regular expression")
            }
            if re.firstMatch(in: module, range: NSRange(module.startIndex..., in: module)) != nil { return key }
        }
        return nil
    }

    /// Pretty, key-sorted JSON as PEFT writes it.
    func encoded() throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try e.encode(self)
    }
}
