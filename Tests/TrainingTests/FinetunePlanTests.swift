import Foundation
import Testing
import TestSupport
@testable import Training

/// `aqyl finetune plan`: every expectation below is worked out by hand from the
/// stated assumptions (ComputeKind's table, the memory formula in FinetunePlan).
struct FinetunePlanTests {
    static let tolerance = 1e-6

    @Test(arguments: [
        ("8B", 8e9), ("135M", 1.35e8), ("1.2M", 1.2e6), ("0.5B", 5e8), ("500k", 5e5),
        ("2048", 2048), ("1,200,000", 1.2e6), (" 3m ", 3e6), ("270m", 2.7e8),
    ])
    func parsesSuffixes(text: String, expected: Double) throws {
        #expect(abs(try Quantity.parse(text, option: "--tokens") - expected) <= expected * 1e-12)
    }

    @Test(arguments: ["", "M", "-", "--5", "-abc", "1e6", "abc", "1.2.3", "nan", "inf", "8 B", "8T", "+3"])
    func rejectsBadNumbers(text: String) {
        #expect(throws: FinetunePlanError.badNumber(option: "--tokens", text: text)) {
            try Quantity.parse(text, option: "--tokens")
        }
    }

    @Test(arguments: [("-5", -5.0), ("-1M", -1e6), ("-0.5B", -5e8)])
    func negativeNumbersAreNotPositive(text: String, value: Double) {
        #expect(throws: FinetunePlanError.notPositive(option: "--tokens", value: value)) {
            try Quantity.parse(text, option: "--tokens")
        }
    }

    /// 8B on a100-40gb: 20,000 / 8 = 2,500 tok/s; 1.2M × 3 = 3.6M tokens → 1,440 s = 0.4 h;
    /// 0.4 h × $1.60 × 520 = 332.8 KZT.
    @Test func timeAndCostOnA100() throws {
        var request = FinetunePlanRequest(paramsB: 8, tokens: 1.2e6)
        request.epochs = 3
        let plan = try FinetunePlan.make(request)
        #expect(plan.gpu == "a100-40gb")
        #expect(plan.precision == .bf16)
        #expect(plan.tokensPerSecond == 2500)
        #expect(abs(plan.hours - 0.4) < Self.tolerance)
        #expect(abs(plan.cost - 332.8) < Self.tolerance)
        #expect(plan.currency == .kzt)
        #expect(plan.fits)
        #expect(plan.report.contains("0:24 (h:mm)"))
        #expect(plan.report.contains("333 KZT"))

        request.currency = .usd
        #expect(abs(try FinetunePlan.make(request).cost - 0.64) < Self.tolerance)   // 0.4 × 1.60

        request.currency = .kzt
        request.pricePerHourUSD = 2.5
        request.rateKZTPerUSD = 500
        #expect(abs(try FinetunePlan.make(request).cost - 500) < Self.tolerance)    // 0.4 × 2.5 × 500
    }

    /// bf16 8B at ctx 2048, r 8 (GB): weights 16; LoRA 20·8·4096·32·16 B = 0.336; activations
    /// 32·2048·4096·2 + 34·2048·4096 + 2048·128256·8 B = 2.923; overhead 10% + 1.5 = 3.426;
    /// total 22.685, more than a T4's 16. 4-bit: weights 8 × 0.5625 = 4.5, total 10.035, which fits.
    @Test func eightBOnT4FallsBackToQLoRA() throws {
        var request = FinetunePlanRequest(paramsB: 8, tokens: 1e6)
        request.gpu = "t4"
        let plan = try FinetunePlan.make(request)
        #expect(plan.precision == .fourBit)
        #expect(plan.bf16MemoryGB == 22.68)
        #expect(plan.memory.weightsGB == 4.5)
        #expect(plan.memory.totalGB == 10.03)
        #expect(plan.memoryAvailableGB == 16)
        #expect(plan.fits)
        #expect(plan.method.hasPrefix("QLoRA"))
        #expect(plan.tokensPerSecond == 234.4)                     // 2,500 / 8 × 0.75
        #expect(plan.report.contains("QLoRA (4-bit base) is needed"))

        request.gpu = "a100-40gb"
        let a100 = try FinetunePlan.make(request)
        #expect(a100.precision == .bf16 && a100.bf16MemoryGB == nil && a100.memory.totalGB == 22.68)
    }

    @Test func seventyBDoesNotFitAT4EvenIn4Bit() throws {
        var request = FinetunePlanRequest(paramsB: 70, tokens: 1e6)
        request.gpu = "T4"
        let plan = try FinetunePlan.make(request)
        #expect(plan.precision == .fourBit && !plan.fits)
        #expect(plan.report.contains("does NOT fit, even with a 4-bit base"))
    }

    /// $1.60/h × 520 = 832 KZT/h; 5,000 KZT buys 6.0096 h × 3,600 × 2,500 = 54,086,538 tokens.
    @Test func budgetBuysTokens() throws {
        var request = FinetunePlanRequest(paramsB: 8, tokens: 1.2e6)
        request.budget = 5000
        let plan = try FinetunePlan.make(request)
        #expect(plan.budgetTokens == 54_086_538)
        #expect(plan.budgetEpochs == 45.072)
    }

    /// Below 0.5B a GPU is assumed no faster than at 0.5B: 20,000 / 0.5 = 40,000 tok/s.
    @Test func smallModelsDoNotSpeedUpAGPUPastTheFloor() throws {
        let plan = try FinetunePlan.make(FinetunePlanRequest(paramsB: 0.135, tokens: 1e6))
        #expect(plan.tokensPerSecond == 40_000)
        #expect(plan.shape.example == "SmolLM2-135M")
    }

    @Test func cpuScalesTheMeasurementBySize() throws {
        var request = FinetunePlanRequest(paramsB: 0.27, tokens: 1e6)
        request.gpu = "cpu"
        request.cpuMemoryGB = 8
        let builtIn = try FinetunePlan.make(request)
        // The built-in figure at 0.135B, halved for twice the parameters.
        #expect(builtIn.tokensPerSecond == round(CPUThroughput.measuredCPU / 2, 1))
        #expect(builtIn.precision == .fourBit && builtIn.cost == 0 && builtIn.memoryAvailableGB == 8)
        #expect(builtIn.throughputBasis.contains("built-in"))

        request.cpuThroughput = CPUThroughput(paramsBillion: 0.135, tokensPerSecond: 300, threads: 2, source: "test")
        request.epochs = 2
        let measured = try FinetunePlan.make(request)
        #expect(measured.tokensPerSecond == 150)                   // 300 × 0.135 / 0.27
        #expect(abs(measured.hours - 2e6 / 150 / 3600) < 1e-4)
    }

    @Test func throughputFileOverridesTheBuiltInFigure() throws {
        let path = NSTemporaryPath("train-throughput.json")
        #expect(try CPUThroughput.load(path: path) == .builtIn)    // no file yet
        try Data(#"{"params_billion": 0.135, "tokens_per_second": 412.5, "threads": 2, "rank": 8, "ctx": 256}"#.utf8)
            .write(to: URL(fileURLWithPath: path))
        let loaded = try CPUThroughput.load(path: path)
        #expect(loaded.tokensPerSecond == 412.5 && loaded.paramsBillion == 0.135 && loaded.threads == 2)
        #expect(loaded.source == "measured, \(path) (0.135B params, 2 threads, rank 8, ctx 256)")

        for bad in [#"{"params_billion": 0, "tokens_per_second": 1}"#, #"{"params_billion": 1, "tokens_per_second": 1, "ctx": 0}"#, #"{"tokens_per_second": 1}"#, "not json"] {
            try Data(bad.utf8).write(to: URL(fileURLWithPath: path))
            #expect(throws: FinetunePlanError.self) { try CPUThroughput.load(path: path) }
        }
        try? FileManager.default.removeItem(atPath: path)
    }

    @Test func badInputsThrowClearErrors() {
        var request = FinetunePlanRequest(paramsB: 8, tokens: -5)
        #expect(throws: FinetunePlanError.notPositive(option: "--tokens", value: -5)) { try FinetunePlan.make(request) }
        request.tokens = 1e6
        request.epochs = 0
        #expect(throws: FinetunePlanError.notPositive(option: "--epochs", value: 0)) { try FinetunePlan.make(request) }
        request.epochs = 1
        request.gpu = "v100"
        #expect(throws: FinetunePlanError.unknownGPU("v100", known: ComputeKind.all.map(\.name))) {
            try FinetunePlan.make(request)
        }
        request.gpu = "h100"
        request.rank = 0
        #expect(throws: FinetunePlanError.notPositive(option: "--rank", value: 0)) { try FinetunePlan.make(request) }
        request.rank = 8
        request.pricePerHourUSD = -1
        #expect(throws: FinetunePlanError.self) { try FinetunePlan.make(request) }
        #expect(throws: FinetunePlanError.unknownCurrency("EUR")) { try Currency(parsing: "EUR") }

        #expect(FinetunePlanError.notPositive(option: "--epochs", value: 0).description
            == "--epochs must be greater than 0, got 0")
        #expect(FinetunePlanError.unknownGPU("v100", known: ["t4", "l4"]).description
            == "--gpu: unknown kind 'v100'; known: t4, l4")
    }

    @Test func shapesAndLoRASize() {
        #expect(ModelShape.nearest(paramsB: 8).example == "Llama-3.1-8B")
        #expect(ModelShape.nearest(paramsB: 7).example == "Llama-3.1-8B")
        #expect(ModelShape.nearest(paramsB: 0.5).example == "Qwen2.5-0.5B")
        #expect(ModelShape.nearest(paramsB: 400).example == "Llama-3.1-70B")
        // Llama-3.1-8B at rank 16: 41,943,040 adapter parameters, as PEFT counts them.
        #expect(ModelShape.nearest(paramsB: 8).loraParameters(rank: 16) == 41_943_040)
    }

    @Test func formatting() {
        #expect(FinetunePlan.hoursAndMinutes(0.4) == "0:24")
        #expect(FinetunePlan.hoursAndMinutes(25.5) == "25:30")
        #expect(FinetunePlan.hoursAndMinutes(0.001) == "<0:01")
        #expect(Quantity.grouped(54_086_538) == "54,086,538")
        #expect(Quantity.short(1.2e6) == "1.2M" && Quantity.short(8e9) == "8B" && Quantity.short(1.35e8) == "135M")
        #expect(FinetunePlan.money(332.8, .kzt) == "333 KZT" && FinetunePlan.money(0.64, .usd) == "$0.64")
    }
}
