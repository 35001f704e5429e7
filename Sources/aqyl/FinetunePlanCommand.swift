import ArgumentParser
import Foundation
import Training

/// `aqyl finetune plan`: how long a LoRA run takes, what it costs and whether it fits,
/// under the stated assumptions in ``ComputeKind``.
///
///     aqyl finetune plan --params 8B --tokens 1.2M --epochs 3 --gpu a100-40gb
struct FinetunePlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Estimate the time, memory and cost of a LoRA fine-tuning run (stated assumptions, not a quote).")

    @Option(help: "Model size in parameters: 8B, 135M, 0.5B.")
    var params: String

    @Option(help: "Training tokens per epoch: 1200000, 1.2M, 500K.")
    var tokens: String

    @Option(help: "Epochs (passes over the tokens).")
    var epochs: Double = 1

    @Option(help: "Machine kind: \(ComputeKind.all.map(\.name).joined(separator: ", ")).")
    var gpu: String = "a100-40gb"

    @Option(help: "Price of one hour in US dollars (default: the table's assumed price for --gpu).")
    var pricePerHour: Double?

    @Option(help: "Currency of the cost: KZT or USD.")
    var currency: String = "KZT"

    @Option(help: "KZT per USD (an assumption; check today's rate).")
    var rate: Double = 520

    @Option(help: "LoRA rank.")
    var rank: Int = 8

    @Option(help: "Context length (tokens per training sequence).")
    var ctx: Int = 2048

    @Option(help: "Money to spend, in --currency: also print how many tokens it buys.")
    var budget: Double?

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        var request = FinetunePlanRequest(paramsB: try Quantity.parse(params, option: "--params") / 1e9,
                                          tokens: try Quantity.parse(tokens, option: "--tokens"))
        request.epochs = epochs
        request.gpu = gpu
        request.pricePerHourUSD = pricePerHour
        request.currency = try Currency(parsing: currency)
        request.rateKZTPerUSD = rate
        request.rank = rank
        request.ctx = ctx
        request.budget = budget
        if gpu.lowercased() == "cpu" {
            request.cpuMemoryGB = Double(ProcessInfo.processInfo.physicalMemory) / 1e9
            request.cpuThroughput = try CPUThroughput.load(path: CPUThroughput.defaultPath())
        }
        let plan = try FinetunePlan.make(request)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(plan), as: UTF8.self))
        } else {
            print(plan.report)
        }
    }
}
