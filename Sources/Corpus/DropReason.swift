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

/// A dropped document as `--dropped` writes it: `{"id", "reason", "text"}` (the input text).
public struct DroppedRecord: Codable, Sendable, Equatable {
    public var id: String
    public var reason: DropReason
    public var text: String

    public init(id: String, reason: DropReason, text: String) {
        self.id = id
        self.reason = reason
        self.text = text
    }
}
