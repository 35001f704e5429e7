import Foundation

/// Numbers written the way people write model and data sizes: `8B`, `135M`, `1.2M`, `500k`, `2048`.
public enum Quantity {
    /// Parses a non-negative decimal with an optional K/M/B suffix (case-insensitive; `_` and `,` are ignored).
    ///
    ///     try Quantity.parse("1.2M", option: "--tokens")   // 1_200_000
    ///     try Quantity.parse("135M", option: "--params")   // 135_000_000
    ///
    /// - Throws: ``FinetunePlanError/notPositive(option:value:)`` for a negative number
    ///   (`-5`, `-1M`); ``FinetunePlanError/badNumber(option:text:)`` for anything else,
    ///   including `+`, an exponent, `nan` and `inf`.
    public static func parse(_ text: String, option: String) throws -> Double {
        var body = text.trimmingCharacters(in: .whitespaces).filter { $0 != "_" && $0 != "," }
        if body.hasPrefix("-"), body.count > 1, !body.dropFirst().hasPrefix("-"),
           let magnitude = try? parse(String(body.dropFirst()), option: option) {
            throw FinetunePlanError.notPositive(option: option, value: -magnitude)
        }
        var scale = 1.0
        if let last = body.last {
            switch last {
            case "k", "K": scale = 1e3
            case "m", "M": scale = 1e6
            case "b", "B": scale = 1e9
            default: break
            }
            if scale != 1 { body.removeLast() }
        }
        // Digits with at most one point; no sign, exponent, nan or inf.
        let digits = body.filter(\.isASCII)
        guard !body.isEmpty, digits.count == body.count,
              body.allSatisfy({ $0.isNumber || $0 == "." }), body.filter({ $0 == "." }).count <= 1,
              body.contains(where: \.isNumber), let value = Double(body), value.isFinite
        else { throw FinetunePlanError.badNumber(option: option, text: text) }
        return value * scale
    }

    /// `1234567` → `"1,234,567"`; fractions are rounded to whole numbers.
    public static func grouped(_ value: Double) -> String {
        guard value.isFinite else { return String(value) }
        let whole = Int(value.rounded())
        let digits = String(abs(whole))
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return whole < 0 ? "-" + out : out
    }

    /// `8e9` → `"8B"`, `1.35e8` → `"135M"`, `1.2e6` → `"1.2M"`: the short form used in reports.
    public static func short(_ value: Double) -> String {
        let units: [(Double, String)] = [(1e9, "B"), (1e6, "M"), (1e3, "K")]
        for (scale, suffix) in units where abs(value) >= scale {
            return trimmed(value / scale) + suffix
        }
        return trimmed(value)
    }

    /// At most three significant decimals, without trailing zeros: `1.20` → `"1.2"`.
    static func trimmed(_ value: Double) -> String {
        var s = String((value * 1000).rounded() / 1000)
        if s.hasSuffix(".0") { s.removeLast(2) }
        return s
    }
}
