/// Hooks for metrics; every closure runs on the scheduler thread and must be cheap.
public struct SchedulerObserver: Sendable {
    public var queueDepth: @Sendable (Int) -> Void = { _ in }
    public var activeSequences: @Sendable (Int) -> Void = { _ in }
    public var promptTokens: @Sendable (Int) -> Void = { _ in }
    public var generatedTokens: @Sendable (Int) -> Void = { _ in }
    /// Seconds from submission to the first generated token.
    public var firstToken: @Sendable (Double) -> Void = { _ in }
    /// Seconds between consecutive generated tokens of one sequence.
    public var interToken: @Sendable (Double) -> Void = { _ in }

    public init() {}
}
