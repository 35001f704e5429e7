import Foundation

/// Global functions available to templates (as in HF's chat template environment).
enum Builtins {
    static let names: Set<String> = ["range", "namespace", "dict", "raise_exception", "strftime_now"]

    static func function(_ name: String, _ it: Interpreter) -> Value? {
        guard names.contains(name) else { return nil }
        return .callable(Callable(name) { [unowned it] args, kwargs in try call(name, args, kwargs, it) })
    }

    private static func call(_ name: String, _ args: [Value], _ kwargs: [(String, Value)], _ it: Interpreter) throws -> Value {
        switch name {
        case "range":
            let ints = try args.map { v -> Int in
                guard let i = Ops.intValue(v) else { throw it.fail("range() arguments must be integers") }
                return i
            }
            var start = 0, stop = 0, step = 1
            switch ints.count {
            case 1: stop = ints[0]
            case 2: start = ints[0]; stop = ints[1]
            case 3: start = ints[0]; stop = ints[1]; step = ints[2]
            default: throw it.fail("range() expects 1 to 3 arguments")
            }
            guard step != 0 else { throw it.fail("range() step must not be zero") }
            // Count without overflow: the span may exceed Int (range(-2**63+1, 2**63-1)).
            let count: UInt
            if step > 0 {
                count = stop > start ? (UInt(bitPattern: stop &- start) - 1) / step.magnitude + 1 : 0
            } else {
                count = start > stop ? (UInt(bitPattern: start &- stop) - 1) / step.magnitude + 1 : 0
            }
            // A range is only ever iterated: anything longer than the loop limit could never finish.
            guard count <= UInt(it.limits.maxLoopIterations) else { throw it.loopLimitError }
            let n = Int(count)
            try it.reserveList(n)
            var items: [Value] = []
            items.reserveCapacity(n)
            var v = start
            for k in 0..<n {
                items.append(.int(v))
                if k + 1 < n { v += step }  // stays between start and stop: no overflow
            }
            return .array(items)
        case "namespace", "dict":
            var d = Dict()
            for a in args {
                if case .object(let o) = a { for (k, v) in o.pairs { d[k] = v } }
            }
            for (k, v) in kwargs { d[k] = v }
            if name == "namespace" { return try it.adopt(Namespace(d)) }
            try it.checkNesting(.object(d))
            return .object(d)
        case "raise_exception":
            throw TemplateError.raised(try (args.first ?? kwargs.first?.1).map { try it.str($0) } ?? "")
        case "strftime_now":
            guard case .string(let fmt) = args.first ?? .undefined else { throw it.fail("strftime_now() needs a format string") }
            guard fmt.utf8.count <= it.limits.maxStringBytes / 8 else { throw it.stringLimitError }
            return try it.string(strftime(fmt, Date()))
        default:
            return .undefined
        }
    }

    private static let months = ["January", "February", "March", "April", "May", "June", "July", "August",
                                 "September", "October", "November", "December"]
    private static let weekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

    /// Python-style strftime for the common directives, in the local time zone, English names.
    static func strftime(_ fmt: String, _ date: Date) -> String {
        let cal = Calendar(identifier: .gregorian)
        let c = cal.dateComponents(in: TimeZone.current, from: date)
        let year = c.year ?? 1970, month = c.month ?? 1, day = c.day ?? 1
        let hour = c.hour ?? 0, minute = c.minute ?? 0, second = c.second ?? 0
        let wd = (c.weekday ?? 1) - 1
        func pad(_ v: Int, _ w: Int = 2) -> String {
            let s = String(v)
            return s.count >= w ? s : String(repeating: "0", count: w - s.count) + s
        }
        var out = ""
        var chars = fmt.makeIterator()
        while let ch = chars.next() {
            guard ch == "%" else { out.append(ch); continue }
            guard let d = chars.next() else { out.append("%"); break }
            switch d {
            case "d": out += pad(day)
            case "-": // %-d, %-m (glibc extension)
                if let e = chars.next() {
                    switch e {
                    case "d": out += String(day)
                    case "m": out += String(month)
                    case "H": out += String(hour)
                    case "I": out += String(hour % 12 == 0 ? 12 : hour % 12)
                    default: out += "%-" + String(e)
                    }
                }
            case "m": out += pad(month)
            case "Y": out += String(year)
            case "y": out += pad(year % 100)
            case "B": out += months[(month - 1) % 12]
            case "b", "h": out += String(months[(month - 1) % 12].prefix(3))
            case "A": out += weekdays[wd % 7]
            case "a": out += String(weekdays[wd % 7].prefix(3))
            case "H": out += pad(hour)
            case "I": out += pad(hour % 12 == 0 ? 12 : hour % 12)
            case "M": out += pad(minute)
            case "S": out += pad(second)
            case "p": out += hour < 12 ? "AM" : "PM"
            case "j": out += pad(cal.ordinality(of: .day, in: .year, for: date) ?? 1, 3)
            case "e": out += day < 10 ? " " + String(day) : String(day)
            case "%": out += "%"
            default: out += "%" + String(d)
            }
        }
        return out
    }
}
