import Foundation

/// What goes wrong with a plan's inputs; each message names the option.
public enum FinetunePlanError: Error, Equatable, CustomStringConvertible {
    case badNumber(option: String, text: String)
    case notPositive(option: String, value: Double)
    case unknownGPU(String, known: [String])
    case unknownCurrency(String)
    case badThroughputFile(path: String, reason: String)

    public var description: String {
        switch self {
        case let .badNumber(option, text):
            return "\(option): '\(text)' is not a number (write e.g. 8B, 135M, 1.2M or 2048)"
        case let .notPositive(option, value):
            return "\(option) must be greater than 0, got \(Quantity.trimmed(value))"
        case let .unknownGPU(name, known):
            return "--gpu: unknown kind '\(name)'; known: \(known.joined(separator: ", "))"
        case let .unknownCurrency(name):
            return "--currency: unknown currency '\(name)'; known: KZT, USD"
        case let .badThroughputFile(path, reason):
            return "\(path): not a training-throughput file (\(reason))"
        }
    }
}

public enum Currency: String, Codable, Sendable, CaseIterable {
    case kzt = "KZT", usd = "USD"

    /// `KZT`/`kzt`/`₸`, `USD`/`usd`/`$`.
    /// - Throws: ``FinetunePlanError/unknownCurrency(_:)``.
    public init(parsing text: String) throws {
        switch text.uppercased() {
        case "KZT", "₸": self = .kzt
        case "USD", "$": self = .usd
        default: throw FinetunePlanError.unknownCurrency(text)
        }
    }
}

/// How the base weights are held while the adapter trains.
public enum BasePrecision: String, Codable, Sendable {
    /// 2 bytes per parameter.
    case bf16
    /// About 0.56 bytes per parameter: 4-bit values plus block scales (NF4 or Q4_K),
    /// the whole model counted at that rate.
    case fourBit = "4bit"

    public var bytesPerParameter: Double { self == .bf16 ? 2 : 0.5625 }
}

/// What `aqyl finetune plan` is asked.
public struct FinetunePlanRequest: Sendable {
    public var paramsB: Double
    public var tokens: Double
    public var epochs: Double = 1
    public var gpu: String = "a100-40gb"
    /// Overrides the table's price; US dollars per hour.
    public var pricePerHourUSD: Double?
    public var currency: Currency = .kzt
    /// Tenge per US dollar; 520 is an assumption (roughly the 2025 rate), not a quote.
    public var rateKZTPerUSD: Double = 520
    public var rank: Int = 8
    public var ctx: Int = 2048
    /// Money to spend, in `currency`; the plan then says how many tokens it buys.
    public var budget: Double?
    /// RAM for the CPU row, GB.
    public var cpuMemoryGB: Double = 16
    public var cpuThroughput: CPUThroughput = .builtIn

    public init(paramsB: Double, tokens: Double) {
        self.paramsB = paramsB
        self.tokens = tokens
    }
}

/// Memory a LoRA run needs, GB (1e9 bytes). See ``FinetunePlan/memory(shape:paramsB:precision:rank:ctx:onCPU:)``.
public struct MemoryEstimate: Codable, Sendable, Equatable {
    public var weightsGB: Double
    public var loraGB: Double
    public var activationsGB: Double
    public var overheadGB: Double
    public var totalGB: Double
}

/// The time, memory and money one LoRA run takes under the stated assumptions.
public struct FinetunePlan: Codable, Sendable, Equatable {
    public var gpu: String
    public var paramsBillion: Double
    public var tokens: Double
    public var epochs: Double
    public var rank: Int
    public var ctx: Int
    public var shape: ModelShape
    public var loraParameters: Double
    /// `bf16` when it fits, else `4bit` (QLoRA); always `4bit` on the CPU (Aqyl trains on GGUF weights).
    public var precision: BasePrecision
    public var method: String
    public var tokensPerSecond: Double
    public var throughputBasis: String
    public var hours: Double
    public var memory: MemoryEstimate
    /// Only when bf16 did not fit: what it would have needed.
    public var bf16MemoryGB: Double?
    public var memoryAvailableGB: Double
    public var fits: Bool
    public var pricePerHourUSD: Double
    public var priceBasis: String
    public var currency: Currency
    public var rateKZTPerUSD: Double
    public var cost: Double
    public var budget: Double?
    public var budgetTokens: Double?
    public var budgetEpochs: Double?

    /// Works out the plan.
    ///
    ///     var request = FinetunePlanRequest(paramsB: 8, tokens: 1_200_000)
    ///     request.epochs = 3
    ///     let plan = try FinetunePlan.make(request)   // a100-40gb: 2,500 tok/s, 0.4 h, 333 KZT
    ///
    /// - Throws: ``FinetunePlanError`` for a non-positive number or an unknown GPU.
    public static func make(_ r: FinetunePlanRequest) throws -> FinetunePlan {
        for (option, value) in [("--params", r.paramsB), ("--tokens", r.tokens), ("--epochs", r.epochs),
                                ("--rank", Double(r.rank)), ("--ctx", Double(r.ctx)), ("--rate", r.rateKZTPerUSD)] {
            guard value.isFinite, value > 0 else { throw FinetunePlanError.notPositive(option: option, value: value) }
        }
        if let price = r.pricePerHourUSD, !(price.isFinite && price >= 0) {
            throw FinetunePlanError.notPositive(option: "--price-per-hour", value: price)
        }
        if let budget = r.budget, !(budget.isFinite && budget > 0) {
            throw FinetunePlanError.notPositive(option: "--budget", value: budget)
        }
        let kind = try ComputeKind.named(r.gpu)
        let shape = ModelShape.nearest(paramsB: r.paramsB)

        // Memory: bf16 first on a GPU; QLoRA when that does not fit. The CPU trainer uses 4-bit GGUF weights.
        let available = kind.isCPU ? r.cpuMemoryGB : kind.memoryGB
        var precision: BasePrecision = kind.isCPU ? .fourBit : .bf16
        var memory = Self.memory(shape: shape, paramsB: r.paramsB, precision: precision, rank: r.rank, ctx: r.ctx,
                                 onCPU: kind.isCPU)
        var bf16Need: Double?
        if precision == .bf16, memory.totalGB > available {
            bf16Need = memory.totalGB
            precision = .fourBit
            memory = Self.memory(shape: shape, paramsB: r.paramsB, precision: precision, rank: r.rank, ctx: r.ctx,
                                 onCPU: false)
        }

        // Throughput.
        let tokensPerSecond: Double
        let basis: String
        if kind.isCPU {
            tokensPerSecond = r.cpuThroughput.tokensPerSecond(paramsB: r.paramsB)
            basis = "\(Quantity.trimmed(r.cpuThroughput.tokensPerSecond)) tok/s at "
                + "\(Quantity.trimmed(r.cpuThroughput.paramsBillion))B scaled by size; \(r.cpuThroughput.source)"
        } else {
            let effectiveB = max(r.paramsB, ComputeKind.gpuMinimumParamsB)
            let factor = precision == .bf16 ? 1 : ComputeKind.qloraSpeedFactor
            tokensPerSecond = kind.throughputConstant / effectiveB * factor
            basis = "\(Quantity.grouped(kind.throughputConstant)) / \(Quantity.trimmed(effectiveB))B"
                + (precision == .bf16 ? "" : " × \(ComputeKind.qloraSpeedFactor) (QLoRA)") + "; \(kind.throughputBasis)"
        }
        let hours = r.tokens * r.epochs / tokensPerSecond / 3600

        // Money.
        let priceUSD = r.pricePerHourUSD ?? kind.pricePerHourUSD
        let priceBasis = r.pricePerHourUSD == nil ? "table: \(kind.priceBasis)" : "--price-per-hour"
        let perUSD = r.currency == .kzt ? r.rateKZTPerUSD : 1
        let cost = hours * priceUSD * perUSD
        var budgetTokens: Double?
        var budgetEpochs: Double?
        if let budget = r.budget, priceUSD > 0 {
            let budgetHours = budget / (priceUSD * perUSD)
            budgetTokens = budgetHours * 3600 * tokensPerSecond
            budgetEpochs = budgetTokens.map { $0 / r.tokens }
        }

        let method = kind.isCPU ? "LoRA r=\(r.rank) on 4-bit GGUF weights (Aqyl's CPU trainer)"
            : precision == .bf16 ? "LoRA r=\(r.rank) on a bf16 base" : "QLoRA r=\(r.rank) on a 4-bit base"
        return FinetunePlan(
            gpu: kind.name, paramsBillion: r.paramsB, tokens: r.tokens, epochs: r.epochs, rank: r.rank, ctx: r.ctx,
            shape: shape, loraParameters: shape.loraParameters(rank: r.rank), precision: precision, method: method,
            tokensPerSecond: round(tokensPerSecond, 1), throughputBasis: basis, hours: round(hours, 4),
            memory: memory, bf16MemoryGB: bf16Need, memoryAvailableGB: available, fits: memory.totalGB <= available,
            pricePerHourUSD: priceUSD, priceBasis: priceBasis, currency: r.currency, rateKZTPerUSD: r.rateKZTPerUSD,
            cost: round(cost, 2), budget: r.budget, budgetTokens: budgetTokens.map { $0.rounded() },
            budgetEpochs: budgetEpochs.map { round($0, 3) })
    }

    /// Memory for LoRA training with gradient checkpointing, GB:
    ///
    /// - weights: params × 2 B (bf16) or × 0.5625 B (4-bit with scales);
    /// - LoRA: 20·r·hidden·layers parameters × 16 B (fp32 value, gradient and two AdamW moments);
    /// - activations: the checkpointed input of every layer, layers·ctx·hidden·b, plus one
    ///   layer's full working set while it is recomputed, about 34·ctx·hidden bytes at
    ///   16 bits (scaled by b/2), plus fp32 logits and their gradient, ctx·vocab·8 B;
    ///   b = 2 bytes per value on a GPU, 4 on the CPU (F32);
    /// - overhead: 10% of the above for allocator slack, plus 1.5 GB on a GPU (runtime and
    ///   kernels) or 0.5 GB on the CPU (the process, tokenizer and data).
    public static func memory(shape: ModelShape, paramsB: Double, precision: BasePrecision, rank: Int, ctx: Int,
                              onCPU: Bool) -> MemoryEstimate {
        let gb = 1e9
        let b = onCPU ? 4.0 : 2.0
        let (L, d, n, v) = (Double(shape.layers), Double(shape.hidden), Double(ctx), Double(shape.vocab))
        let weights = paramsB * 1e9 * precision.bytesPerParameter / gb
        let lora = shape.loraParameters(rank: rank) * 16 / gb
        let activations = (L * n * d * b + 34 * n * d * b / 2 + n * v * 8) / gb
        let overhead = 0.10 * (weights + lora + activations) + (onCPU ? 0.5 : 1.5)
        let total = weights + lora + activations + overhead
        return MemoryEstimate(weightsGB: round(weights, 2), loraGB: round(lora, 2), activationsGB: round(activations, 2),
                              overheadGB: round(overhead, 2), totalGB: round(total, 2))
    }
}

/// `value` rounded to `places` decimals, so reports and JSON carry no float noise.
func round(_ value: Double, _ places: Int) -> Double {
    let scale = pow(10, Double(places))
    return (value * scale).rounded() / scale
}
