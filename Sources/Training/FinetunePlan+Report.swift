import Foundation

extension FinetunePlan {
    /// `0.4` → `"0:24"`; under half a minute → `"<0:01"`.
    public static func hoursAndMinutes(_ hours: Double) -> String {
        let minutes = Int((hours * 60).rounded())
        if minutes == 0, hours > 0 { return "<0:01" }
        return "\(minutes / 60):" + (minutes % 60 < 10 ? "0" : "") + "\(minutes % 60)"
    }

    /// An amount of money in `currency`: `"333 KZT"`, `"$0.64"`.
    public static func money(_ amount: Double, _ currency: Currency) -> String {
        switch currency {
        case .kzt: return "\(Quantity.grouped(amount)) KZT"
        case .usd: return "$" + String(format: "%.2f", amount)
        }
    }

    /// The short table `aqyl finetune plan` prints.
    public var report: String {
        var lines: [String] = []
        lines.append("Fine-tuning plan: \(Quantity.short(paramsBillion * 1e9)) params (\(shape.example) shape), "
            + "\(Quantity.short(tokens)) tokens × \(Quantity.trimmed(epochs)) epoch\(epochs == 1 ? "" : "s"), ctx \(ctx)")
        func row(_ label: String, _ value: String) {
            lines.append("  " + label.padding(toLength: 9, withPad: " ", startingAt: 0) + value)
        }
        row("on", gpu == "cpu" ? "cpu (\(Quantity.trimmed(memoryAvailableGB)) GB RAM)"
            : "\(gpu) (\(Quantity.trimmed(memoryAvailableGB)) GB)")
        row("method", "\(method), \(Quantity.short(loraParameters)) trainable parameters")
        row("speed", "\(Quantity.grouped(tokensPerSecond)) tok/s  [\(throughputBasis)]")
        row("time", "\(Self.hoursAndMinutes(hours)) (h:mm)")
        let m = memory
        row("memory", "\(Quantity.trimmed(m.totalGB)) GB needed of \(Quantity.trimmed(memoryAvailableGB)) GB: "
            + (fits ? "fits" : precision == .fourBit && gpu != "cpu" ? "does NOT fit, even with a 4-bit base" : "does NOT fit")
            + "  [weights \(Quantity.trimmed(m.weightsGB)), LoRA+AdamW \(Quantity.trimmed(m.loraGB)), "
            + "activations \(Quantity.trimmed(m.activationsGB)), overhead \(Quantity.trimmed(m.overheadGB))]")
        if let bf16 = bf16MemoryGB {
            row("", "a bf16 base needs \(Quantity.trimmed(bf16)) GB, more than the \(Quantity.trimmed(memoryAvailableGB)) GB "
                + "available: QLoRA (4-bit base) is needed, and the figures above use it")
        }
        let rate = currency == .kzt ? " × \(Quantity.trimmed(rateKZTPerUSD)) KZT/USD (assumed rate)" : ""
        row("cost", "\(Self.money(cost, currency))  [$\(String(format: "%.2f", pricePerHourUSD))/h\(rate); \(priceBasis)]")
        if let budget, let budgetTokens, let budgetEpochs {
            row("budget", "\(Self.money(budget, currency)) buys \(Quantity.short(budgetTokens)) tokens "
                + "= \(Quantity.trimmed(budgetEpochs)) epochs of \(Quantity.short(tokens)) tokens")
        } else if budget != nil {
            row("budget", "the price is 0, so any budget buys unlimited time")
        }
        lines.append("Assumptions, not measurements (except the CPU row): see docs/finetune.md, \"What a run costs\".")
        return lines.joined(separator: "\n")
    }
}
