import Foundation

/// Safety limits for rendering untrusted templates.
///
/// A chat template comes from a downloaded model file, so it is hostile input: every render is
/// bounded in work (`maxSteps`, `maxLoopIterations`, `maxDuration`), in memory (`maxStringBytes`,
/// `maxListItems`, `maxAllocatedBytes`, `maxOutputBytes`) and in recursion (`maxMacroDepth`,
/// `maxDepth`, `maxValueDepth`). Hitting any of them throws `TemplateError.limitExceeded` with a
/// message that names the limit. Limits are validated when a render starts: a limit of zero or
/// less is a programmer error and is raised to the smallest meaningful value.
public struct TemplateLimits: Sendable {
    /// Statements executed plus expressions evaluated in one render.
    public var maxSteps: Int
    /// Rendered output size in UTF-8 bytes.
    public var maxOutputBytes: Int
    /// Size in UTF-8 bytes of any single string an operation builds (`~`, `+`, `*`, `replace`,
    /// `join`, `format`, `tojson`, captured blocks, ...).
    public var maxStringBytes: Int
    /// Items in any list an operation builds (`+`, `*`, `split`, iterating a string, ...).
    public var maxListItems: Int
    /// Cumulative bytes of all strings (and an estimate for lists) built during one render.
    public var maxAllocatedBytes: Int
    /// Total loop iterations across the whole render (and the largest `range()`).
    public var maxLoopIterations: Int
    /// Nested macro / callable invocations (self-recursion).
    public var maxMacroDepth: Int
    /// Nesting of expression evaluation and statement blocks, counted across macro calls.
    public var maxDepth: Int
    /// Nesting of values (lists and dicts in lists and dicts) a template may build or print.
    public var maxValueDepth: Int
    /// Wall-clock time for one render, checked every few thousand steps.
    public var maxDuration: Duration
    /// External cancellation (e.g. server shutdown), polled where the clock is checked;
    /// returning true stops the render with `TemplateError.limitExceeded`.
    public var shouldStop: (@Sendable () -> Bool)?

    public init(maxSteps: Int = 5_000_000, maxOutputBytes: Int = 16 << 20, maxStringBytes: Int = 16 << 20,
                maxListItems: Int = 1_000_000, maxAllocatedBytes: Int = 256 << 20, maxLoopIterations: Int = 1_000_000,
                maxMacroDepth: Int = 64, maxDepth: Int = 256, maxValueDepth: Int = 256,
                maxDuration: Duration = .seconds(2), shouldStop: (@Sendable () -> Bool)? = nil) {
        self.maxSteps = maxSteps
        self.maxOutputBytes = maxOutputBytes
        self.maxStringBytes = maxStringBytes
        self.maxListItems = maxListItems
        self.maxAllocatedBytes = maxAllocatedBytes
        self.maxLoopIterations = maxLoopIterations
        self.maxMacroDepth = maxMacroDepth
        self.maxDepth = maxDepth
        self.maxValueDepth = maxValueDepth
        self.maxDuration = maxDuration
        self.shouldStop = shouldStop
    }

    /// The limits with every value raised to at least its smallest meaningful setting
    /// (a limit of zero or less would be a programmer error).
    public var validated: TemplateLimits {
        var l = self
        l.maxSteps = max(1, maxSteps)
        l.maxOutputBytes = max(1, maxOutputBytes)
        l.maxStringBytes = max(1, maxStringBytes)
        l.maxListItems = max(1, maxListItems)
        l.maxAllocatedBytes = max(1, maxAllocatedBytes)
        l.maxLoopIterations = max(1, maxLoopIterations)
        l.maxMacroDepth = max(1, maxMacroDepth)
        l.maxDepth = max(8, maxDepth)
        l.maxValueDepth = max(2, maxValueDepth)
        l.maxDuration = max(.milliseconds(1), maxDuration)
        return l
    }

    /// "2 s", "50 ms", "1.5 s".
    static func describe(_ d: Duration) -> String {
        let (sec, atto) = d.components
        if atto == 0 { return "\(sec) s" }
        let ms = Double(sec) * 1000 + Double(atto) / 1e15
        if ms < 1000, ms == ms.rounded() { return "\(Int(ms)) ms" }
        return "\(Double(sec) + Double(atto) / 1e18) s"
    }
}
