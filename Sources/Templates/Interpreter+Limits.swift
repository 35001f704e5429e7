import Foundation

/// The interpreter's budget: every limit of ``TemplateLimits`` is charged and checked here.
extension Interpreter {

    func limitError(_ message: String) -> TemplateError { .limitExceeded("chat template " + message) }
    var stringLimitError: TemplateError { limitError("exceeded the string limit of \(limits.maxStringBytes) bytes") }
    var listLimitError: TemplateError { limitError("exceeded the list limit of \(limits.maxListItems) items") }
    var loopLimitError: TemplateError { limitError("exceeded \(limits.maxLoopIterations) loop iterations") }
    var valueDepthError: TemplateError { limitError("exceeded the value nesting depth of \(limits.maxValueDepth)") }

    /// One statement or expression node.
    @inline(__always) func step() throws {
        steps += 1
        if steps > limits.maxSteps { throw limitError("exceeded \(limits.maxSteps) steps") }
        untilCheck -= 1
        if untilCheck <= 0 { try checkClock() }
    }

    /// Internal work worth `cost` steps of time (not counted as steps).
    @inline(__always) func tick(_ cost: Int = 1) throws {
        untilCheck -= min(max(cost, 0), 1 << 40)
        if untilCheck <= 0 { try checkClock() }
    }

    func checkClock() throws {
        untilCheck = Interpreter.checkInterval
        if let stop = limits.shouldStop, stop() { throw TemplateError.limitExceeded("chat template rendering was cancelled") }
        if clock.now - start > limits.maxDuration {
            throw limitError("exceeded the time limit of \(TemplateLimits.describe(limits.maxDuration))")
        }
    }

    /// Charges `bytes` to the render's allocation budget.
    func charge(_ bytes: Int) throws {
        let (total, overflow) = allocated.addingReportingOverflow(max(0, bytes))
        guard !overflow, total <= limits.maxAllocatedBytes else {
            throw limitError("exceeded the allocation limit of \(limits.maxAllocatedBytes) bytes")
        }
        allocated = total
        try tick(bytes >> 8)
    }

    /// Checks, before building it, that a string of `bytes` may be built, and charges it.
    func reserve(_ bytes: Int) throws {
        guard bytes <= limits.maxStringBytes else { throw stringLimitError }
        try charge(bytes)
    }

    /// Checks and charges a string just built by an operation.
    func produced(_ s: String) throws -> String {
        try reserve(s.utf8.count)
        return s
    }

    /// `produced` as a value.
    func string(_ s: String) throws -> Value { .string(try produced(s)) }

    /// Sum of sizes, failing with the string limit on overflow.
    func total(_ a: Int, _ b: Int) throws -> Int {
        let (r, o) = a.addingReportingOverflow(b)
        if o { throw stringLimitError }
        return r
    }

    /// Checks, before building it, that a list of `count` items may be built, and charges it.
    func reserveList(_ count: Int) throws {
        guard count <= limits.maxListItems else { throw listLimitError }
        let (bytes, o) = count.multipliedReportingOverflow(by: 16)
        try charge(o ? Int.max : bytes)
    }

    /// Checks a list an operation has built (size known only afterwards).
    func producedList(_ items: [Value]) throws -> Value {
        try reserveList(items.count)
        return .array(items)
    }

    /// Checks that a value built by a literal or a wrapping operation is not nested deeper than
    /// `maxValueDepth` (deep values would overflow the stack when printed, compared or freed).
    /// Shared sublists are visited once, so `xs.append(xs)` loops cost no more than their size.
    /// Namespaces are leaves: they are freed iteratively by `finish()`.
    func checkNesting(_ v: Value) throws {
        var heights: [UnsafeRawPointer: Int] = [:]
        func height(_ id: UnsafeRawPointer?, _ level: Int, _ children: () throws -> Int) throws -> Int {
            guard level < limits.maxValueDepth else { throw valueDepthError }
            if let id, let h = heights[id] {
                guard level + h <= limits.maxValueDepth else { throw valueDepthError }
                return h
            }
            let h = try children() + 1
            if let id { heights[id] = h }
            return h
        }
        func visit(_ v: Value, _ level: Int) throws -> Int {
            switch v {
            case .array(let a) where !a.contains(where: \.isContainer):
                guard level < limits.maxValueDepth else { throw valueDepthError }
                try tick(a.count >> 4)
                return 1
            case .array(let a):
                return try height(a.bufferIdentity, level) {
                    try tick(a.count >> 4)
                    var h = 0
                    for x in a where x.isContainer { h = max(h, try visit(x, level + 1)) }
                    return h
                }
            case .object(let o):
                return try height(o.order.bufferIdentity, level) {
                    try tick(o.count >> 4)
                    var h = 0
                    for (_, x) in o.pairs where x.isContainer { h = max(h, try visit(x, level + 1)) }
                    return h
                }
            default: return 0
            }
        }
        _ = try visit(v, 0)
    }
}
