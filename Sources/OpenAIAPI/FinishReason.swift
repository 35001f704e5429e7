/// Why generation stopped; clients branch on `length` to detect truncation.
public enum FinishReason: String, Codable, Sendable, Equatable {
    case stop
    case length
    case contentFilter = "content_filter"
    case toolCalls = "tool_calls"
}
