/// Why the cleaner dropped a document, in the order the checks run.
public enum DropReason: String, Codable, Sendable, CaseIterable {
    case tooShort = "too_short"
    case tooLong = "too_long"
    case symbolRatio = "symbol_ratio"
    case digitRatio = "digit_ratio"
    case repeatedLines = "repeated_lines"
    case language
    case exactDuplicate = "exact_duplicate"
    case nearDuplicate = "near_duplicate"
}
