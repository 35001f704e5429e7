import Foundation

/// A kind of machine a LoRA run can be rented on, with the stated assumptions the
/// cost estimate rests on. None of these numbers is measured by Aqyl except the
/// CPU row (see ``CPUThroughput``); they are assumptions, written down so they can
/// be argued with.
///
/// **Throughput model.** LoRA on a frozen base costs about 6·P FLOPs per trained
/// token for P parameters: 2·P forward, 2·P for the activation gradients in the
/// backward pass (the frozen weights get no gradients) and 2·P to recompute the
/// forward pass under gradient checkpointing. So
///
///     tokens/s = MFU · peak FLOP/s / (6 · P) = k / params_in_billions,  k = MFU · peak / 6e9
///
/// with MFU the fraction of the dense bf16 peak a well-tuned trainer (Unsloth-like
/// fused kernels, packed sequences) actually gets. We take a conservative MFU:
///
/// | kind | dense bf16/fp16 peak | MFU assumed | k | 8B LoRA |
/// |---|---|---|---|---|
/// | a100-40gb, a100-80gb | 312 TFLOP/s | 0.38 | 20,000 | 2,500 tok/s |
/// | h100 (SXM) | 989 TFLOP/s | 0.27 | 45,000 | 5,625 tok/s |
/// | l4 | 121 TFLOP/s | 0.30 | 6,000 | 750 tok/s |
/// | t4 | 65 TFLOP/s (fp16, no bf16) | 0.23 | 2,500 | 312 tok/s |
///
/// 2,500 tok/s for an 8B model on one A100 is the low end of what LoRA trainers with
/// fused kernels report (about 2,500 to 3,500 tok/s); plain Hugging Face PEFT gets less.
/// A 4-bit (QLoRA) base dequantizes every weight on the fly: ×``qloraSpeedFactor``.
/// Small models use a GPU badly, so below ``gpuMinimumParamsB`` a GPU is assumed no
/// faster than at that size.
///
/// **Prices** are assumptions too: typical on-demand prices for one GPU at GPU-cloud
/// providers in 2025 (hyperscalers list up to about twice as much; spot and
/// reserved prices are lower). Pass `--price-per-hour` for your provider's figure.
public struct ComputeKind: Sendable, Equatable {
    /// The name used on the command line: `a100-40gb`.
    public let name: String
    /// Accelerator memory in GB (1e9 bytes); 0 for the CPU row, which uses the machine's RAM.
    public let memoryGB: Double
    /// Assumed on-demand price of one hour, in US dollars.
    public let pricePerHourUSD: Double
    /// k in `tokens/s = k / params_in_billions` for LoRA on a bf16 base; unused for the CPU.
    public let throughputConstant: Double
    /// Where the throughput figure comes from, in one line.
    public let throughputBasis: String
    /// Where the price comes from, in one line.
    public let priceBasis: String

    public var isCPU: Bool { name == "cpu" }
}

extension ComputeKind {
    /// QLoRA (4-bit base) trains at this fraction of bf16 LoRA's speed (dequantizing every weight each step).
    public static let qloraSpeedFactor = 0.75
    /// Below this size (billions of parameters) a GPU is assumed to be no faster than at this size.
    public static let gpuMinimumParamsB = 0.5

    /// The table: one row per kind, in the order `--help` lists them.
    public static let all: [ComputeKind] = [
        ComputeKind(name: "a100-40gb", memoryGB: 40, pricePerHourUSD: 1.60, throughputConstant: 20_000,
                    throughputBasis: "312 TFLOP/s bf16 at 38% MFU",
                    priceBasis: "typical on-demand GPU-cloud price, 2025"),
        ComputeKind(name: "a100-80gb", memoryGB: 80, pricePerHourUSD: 2.00, throughputConstant: 20_000,
                    throughputBasis: "312 TFLOP/s bf16 at 38% MFU",
                    priceBasis: "typical on-demand GPU-cloud price, 2025"),
        ComputeKind(name: "h100", memoryGB: 80, pricePerHourUSD: 3.00, throughputConstant: 45_000,
                    throughputBasis: "989 TFLOP/s bf16 (SXM) at 27% MFU",
                    priceBasis: "typical on-demand GPU-cloud price, 2025"),
        ComputeKind(name: "l4", memoryGB: 24, pricePerHourUSD: 0.80, throughputConstant: 6_000,
                    throughputBasis: "121 TFLOP/s bf16 at 30% MFU",
                    priceBasis: "typical on-demand cloud price, 2025"),
        ComputeKind(name: "t4", memoryGB: 16, pricePerHourUSD: 0.50, throughputConstant: 2_500,
                    throughputBasis: "65 TFLOP/s fp16 at 23% MFU",
                    priceBasis: "typical on-demand cloud price, 2025"),
        ComputeKind(name: "cpu", memoryGB: 0, pricePerHourUSD: 0, throughputConstant: 0,
                    throughputBasis: "Aqyl's own CPU trainer, measured",
                    priceBasis: "your own machine costs nothing per hour"),
    ]

    /// The row called `name` (case-insensitive).
    /// - Throws: ``FinetunePlanError/unknownGPU(_:known:)``.
    public static func named(_ name: String) throws -> ComputeKind {
        let key = name.lowercased()
        guard let kind = all.first(where: { $0.name == key }) else {
            throw FinetunePlanError.unknownGPU(name, known: all.map(\.name))
        }
        return kind
    }
}

/// Aqyl's own LoRA training speed on the CPU, measured at one model size and scaled
/// as `tokens/s = tokensPerSecond · paramsBillion / params` for other sizes.
public struct CPUThroughput: Codable, Sendable, Equatable {
    public var paramsBillion: Double
    public var tokensPerSecond: Double
    public var threads: Int?
    /// The context length and LoRA rank of the measurement, when the file records them.
    public var ctx: Int?
    public var rank: Int?
    /// Where the figure came from; not part of the file.
    public var source: String = ""

    enum CodingKeys: String, CodingKey {
        case paramsBillion = "params_billion", tokensPerSecond = "tokens_per_second", threads, ctx, rank
    }

    public init(paramsBillion: Double, tokensPerSecond: Double, threads: Int?, ctx: Int? = nil, rank: Int? = nil,
                source: String) {
        self.paramsBillion = paramsBillion
        self.tokensPerSecond = tokensPerSecond
        self.threads = threads
        self.ctx = ctx
        self.rank = rank
        self.source = source
    }

    /// Tokens/s of Aqyl's trainer for SmolLM2-135M, LoRA rank 8, ctx 256, 2 threads.
    /// Measured by scripts/bench_train.py (docs/benchmarks.md, "Issue 16, fifth round"): SmolLM2-135M,
    /// int8 backward, median of two rounds, with AVX-512 off (`AQYL_KERNELS=avx2`) so the figure
    /// holds for ordinary CPUs; the same machine gives 342 tok/s with its AVX-512 kernels.
    public static let measuredCPU = 192.8

    /// The figure built into Aqyl: ``measuredCPU`` at 0.135B parameters, 2 threads.
    public static let builtIn = CPUThroughput(
        paramsBillion: 0.135, tokensPerSecond: measuredCPU, threads: 2, ctx: 256, rank: 8,
        source: "built-in figure (SmolLM2-135M, rank 8, ctx 256, 2 threads)")

    /// `$XDG_CACHE_HOME/aqyl/train-throughput.json`, else `~/.cache/aqyl/train-throughput.json`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty { return xdg + "/aqyl/train-throughput.json" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.cache/aqyl/train-throughput.json"
    }

    /// The measurement in the file at `path`, or ``builtIn`` when there is no file.
    /// - Throws: ``FinetunePlanError/badThroughputFile(path:reason:)`` when the file
    ///   exists but is not `{"params_billion": x, "tokens_per_second": y, "threads": n}`
    ///   with positive x and y.
    public static func load(path: String) throws -> CPUThroughput {
        guard FileManager.default.fileExists(atPath: path) else { return builtIn }
        let data: Data
        var value: CPUThroughput
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
            value = try JSONDecoder().decode(CPUThroughput.self, from: data)
        } catch {
            throw FinetunePlanError.badThroughputFile(path: path, reason: "\(error)")
        }
        guard value.paramsBillion.isFinite, value.paramsBillion > 0,
              value.tokensPerSecond.isFinite, value.tokensPerSecond > 0,
              (value.threads ?? 1) > 0, (value.ctx ?? 1) > 0, (value.rank ?? 1) > 0
        else {
            throw FinetunePlanError.badThroughputFile(
                path: path, reason: "params_billion, tokens_per_second, threads, ctx and rank must be positive")
        }
        let details = [value.threads.map { "\($0) threads" }, value.rank.map { "rank \($0)" }, value.ctx.map { "ctx \($0)" }]
            .compactMap { $0 }.map { ", " + $0 }.joined()
        value.source = "measured, \(path) (\(Quantity.trimmed(value.paramsBillion))B params\(details))"
        return value
    }

    /// Tokens/s for a model of `paramsB` billion parameters, scaled inversely with size.
    public func tokensPerSecond(paramsB: Double) -> Double {
        tokensPerSecond * paramsBillion / paramsB
    }
}
