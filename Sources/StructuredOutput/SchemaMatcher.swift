/// Checks, byte by byte, that text is a prefix of a JSON value that validates against a
/// ``CompiledSchema``, so decoding can mask every token that would leave the schema.
///
/// The state is a small set of configurations (a stack of frames each): `anyOf`, enum
/// values that are prefixes of one another, and numbers whose end is not yet known
/// fork it; configurations that cannot take a byte are dropped. The output it admits is
/// a strict subset of what the schema allows: compact enum/const spellings, declared
/// keys only (unless nothing is declared), integers without fraction or exponent, at
/// most 16 whitespace bytes in a row, numbers with at most 15 integer and 15 fraction
/// digits and a 2-digit exponent. Bytes ≥ 0x80 are taken inside strings only, so a
/// token may end mid-character.
public struct SchemaMatcher: Sendable, Hashable {
    enum ObjectPhase: Hashable, Sendable { case open, needKey, needColon([UInt8]), afterValue }
    enum ArrayPhase: Hashable, Sendable { case open, needValue, afterValue }
    /// Inside a string: plain, after `\`, inside `\uXXXX`, or inside a multi-byte UTF-8
    /// character (`remaining` continuation bytes, the next one in `low...high`).
    enum Escape: Hashable, Sendable { case none, backslash, unicode(Int), utf8(remaining: Int, low: UInt8, high: UInt8) }
    enum NumberPhase: Hashable, Sendable { case sign, zero, integer, dot, fraction, exponent, exponentSign, exponentDigits }

    enum Frame: Hashable, Sendable {
        /// A value of this (concrete) node starts here; whitespace first is fine.
        case value(Int)
        case object(node: Int, seen: Set<[UInt8]>, phase: ObjectPhase)
        /// Inside a key's quotes; `bytes` so far (escaped, as written).
        case key(node: Int, bytes: [UInt8], escape: Escape)
        case array(node: Int, count: Int, phase: ArrayPhase)
        case string(min: Int, max: Int?, length: Int, escape: Escape)
        case number(integer: Bool, phase: NumberPhase, digits: Int)
        case literal([UInt8], next: Int)
        case enumeration([[UInt8]], matched: Int)
    }

    struct Configuration: Hashable, Sendable {
        var frames: [Frame]
        var whitespace: Int = 0
    }

    public static let maxWhitespaceRun = 16
    public static let maxConfigurations = 256
    static let maxIntegerDigits = 15, maxFractionDigits = 15, maxExponentDigits = 2, maxKeyBytes = 256

    let schema: CompiledSchema
    var configurations: [Configuration]

    public init(_ schema: CompiledSchema) {
        self.schema = schema
        configurations = Self.expand(schema.root, schema: schema).map { Configuration(frames: [.value($0)]) }
    }

    /// No byte can follow: every configuration finished its value.
    public var isComplete: Bool { !configurations.isEmpty && configurations.allSatisfy(\.frames.isEmpty) }

    /// The text so far is a whole value (a top-level number may still grow).
    public var canEnd: Bool {
        configurations.contains { c in
            if c.frames.isEmpty { return true }
            if c.frames.count == 1, case let .number(_, phase, _) = c.frames[0] { return Self.isTerminal(phase) }
            return false
        }
    }

    /// Appends `bytes` if the result is still a valid prefix; otherwise leaves self unchanged.
    public mutating func append(_ bytes: [UInt8]) -> Bool {
        var current = configurations
        for b in bytes {
            var next: [Configuration] = []
            if current.count == 1 {
                // The common case: one configuration, nothing to deduplicate.
                feed(current[0], b, into: &next)
                if next.count > 1 { next = Self.unique(next) }
            } else {
                var seen = Set<Configuration>()
                for c in current {
                    var out: [Configuration] = []
                    feed(c, b, into: &out)
                    for o in out where next.count < Self.maxConfigurations && seen.insert(o).inserted { next.append(o) }
                }
            }
            if next.isEmpty { return false }
            current = next
        }
        configurations = current
        return true
    }

    static func unique(_ configs: [Configuration]) -> [Configuration] {
        var seen = Set<Configuration>()
        return Array(configs.filter { seen.insert($0).inserted }.prefix(maxConfigurations))
    }

    // MARK: - One byte

    func feed(_ config: Configuration, _ b: UInt8, into out: inout [Configuration]) {
        guard let top = config.frames.last else { return }
        var c = config
        let ws = b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09
        switch top {
        case let .value(node):
            if ws { whitespace(c, into: &out); return }
            c.whitespace = 0
            c.frames.removeLast()
            start(node, b, c, into: &out)

        case let .object(node, seen, phase):
            if ws { whitespace(c, into: &out); return }
            c.whitespace = 0
            guard case let .typed(t) = schema.nodes[node] else { return }
            switch phase {
            case .open, .needKey:
                if b == UInt8(ascii: "\"") {
                    c.frames.append(.key(node: node, bytes: [], escape: .none))
                    out.append(c)
                } else if b == UInt8(ascii: "}"), phase == .open, t.required.isSubset(of: seen) {
                    c.frames.removeLast()
                    out.append(c)
                }
            case let .needColon(key):
                guard b == UInt8(ascii: ":") else { return }
                c.frames[c.frames.count - 1] = .object(node: node, seen: seen, phase: .afterValue)
                let valueNode = t.properties.first(where: { $0.escaped == key })?.node ?? t.additional
                guard let valueNode, c.frames.count < CompiledSchema.maxDepth else { return }
                for concrete in Self.expand(valueNode, schema: schema) {
                    var d = c
                    d.frames.append(.value(concrete))
                    out.append(d)
                }
            case .afterValue:
                if b == UInt8(ascii: ","), t.additional != nil || t.properties.contains(where: { !seen.contains($0.escaped) }) {
                    c.frames[c.frames.count - 1] = .object(node: node, seen: seen, phase: .needKey)
                    out.append(c)
                } else if b == UInt8(ascii: "}"), t.required.isSubset(of: seen) {
                    c.frames.removeLast()
                    out.append(c)
                }
            }

        case let .key(node, bytes, escape):
            guard case let .typed(t) = schema.nodes[node],
                  case let .object(_, seen, _) = c.frames[c.frames.count - 2] else { return }
            let grown = bytes + [b]
            let declaredPrefix = t.properties.contains { !seen.contains($0.escaped) && $0.escaped.starts(with: grown) }
            if b == UInt8(ascii: "\""), escape == .none {
                // Closing quote: a declared unseen name, or (when extra keys are allowed) any new one.
                let declared = t.properties.contains { $0.escaped == bytes && !seen.contains(bytes) }
                let extra = t.additional != nil && !seen.contains(bytes) && !t.properties.contains { $0.escaped == bytes }
                guard declared || extra else { return }
                c.frames.removeLast()
                var seenNow = seen
                seenNow.insert(bytes)
                c.frames[c.frames.count - 1] = .object(node: node, seen: seenNow, phase: .needColon(bytes))
                out.append(c)
                return
            }
            if t.additional == nil {
                // Declared keys only: the bytes must stay a prefix of an unseen declared name.
                guard declaredPrefix else { return }
                c.frames[c.frames.count - 1] = .key(node: node, bytes: grown, escape: .none)
                out.append(c)
                return
            }
            guard grown.count <= Self.maxKeyBytes, let nextEscape = Self.stringByte(b, escape) else { return }
            c.frames[c.frames.count - 1] = .key(node: node, bytes: grown, escape: nextEscape)
            out.append(c)

        case let .array(node, count, phase):
            if ws { whitespace(c, into: &out); return }
            c.whitespace = 0
            guard case let .typed(t) = schema.nodes[node] else { return }
            switch phase {
            case .open, .needValue:
                if b == UInt8(ascii: "]"), phase == .open, count >= t.minItems {
                    c.frames.removeLast()
                    out.append(c)
                    return
                }
                guard t.maxItems.map({ count < $0 }) ?? true, let items = t.items, c.frames.count < CompiledSchema.maxDepth else { return }
                c.frames[c.frames.count - 1] = .array(node: node, count: count + 1, phase: .afterValue)
                for concrete in Self.expand(items, schema: schema) {
                    var d = c
                    d.frames.append(.value(concrete))
                    feed(d, b, into: &out)
                }
            case .afterValue:
                if b == UInt8(ascii: ","), t.maxItems.map({ count < $0 }) ?? true {
                    c.frames[c.frames.count - 1] = .array(node: node, count: count, phase: .needValue)
                    out.append(c)
                } else if b == UInt8(ascii: "]"), count >= t.minItems {
                    c.frames.removeLast()
                    out.append(c)
                }
            }

        case let .string(min, max, length, escape):
            if escape == .none, b == UInt8(ascii: "\"") {
                guard length >= min else { return }
                c.frames.removeLast()
                out.append(c)
                return
            }
            guard let nextEscape = Self.stringByte(b, escape) else { return }
            // A character starts at an ASCII byte, a UTF-8 lead byte, or a backslash.
            let startsCharacter = escape == .none
            var newLength = length
            if startsCharacter {
                if let max, length >= max { return }
                newLength += 1
            }
            c.frames[c.frames.count - 1] = .string(min: min, max: max, length: newLength, escape: nextEscape)
            out.append(c)

        case let .number(integer, phase, digits):
            if let (after, newDigits) = Self.advance(phase, b, integer: integer, digits: digits) {
                c.frames[c.frames.count - 1] = .number(integer: integer, phase: after, digits: newDigits)
                out.append(c)
                return
            }
            guard Self.isTerminal(phase) else { return }
            c.frames.removeLast()  // the number ended before this byte, which belongs to the parent
            if c.frames.isEmpty { return }
            feed(c, b, into: &out)

        case let .literal(word, next):
            guard b == word[next] else { return }
            if next + 1 == word.count { c.frames.removeLast() } else { c.frames[c.frames.count - 1] = .literal(word, next: next + 1) }
            out.append(c)

        case let .enumeration(candidates, matched):
            let going = candidates.filter { $0.count > matched && $0[matched] == b }
            guard !going.isEmpty else { return }
            if going.contains(where: { $0.count == matched + 1 }) {
                var done = c
                done.frames.removeLast()
                out.append(done)
            }
            let longer = going.filter { $0.count > matched + 1 }
            if !longer.isEmpty {
                c.frames[c.frames.count - 1] = .enumeration(longer, matched: matched + 1)
                out.append(c)
            }
        }
    }

    /// The first byte of a value of a concrete node (typed or enumeration).
    func start(_ node: Int, _ b: UInt8, _ c: Configuration, into out: inout [Configuration]) {
        var c = c
        switch schema.nodes[node] {
        case let .enumeration(texts):
            c.frames.append(.enumeration(texts, matched: 0))
            feed(c, b, into: &out)
        case let .typed(t):
            func push(_ f: Frame) { var d = c; d.frames.append(f); out.append(d) }
            switch b {
            case UInt8(ascii: "{") where t.types.contains(.object): push(.object(node: node, seen: [], phase: .open))
            case UInt8(ascii: "[") where t.types.contains(.array): push(.array(node: node, count: 0, phase: .open))
            case UInt8(ascii: "\"") where t.types.contains(.string): push(.string(min: t.minLength, max: t.maxLength, length: 0, escape: .none))
            case UInt8(ascii: "t") where t.types.contains(.boolean): push(.literal(Array("true".utf8), next: 1))
            case UInt8(ascii: "f") where t.types.contains(.boolean): push(.literal(Array("false".utf8), next: 1))
            case UInt8(ascii: "n") where t.types.contains(.null): push(.literal(Array("null".utf8), next: 1))
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                guard !t.types.isDisjoint(with: [.number, .integer]) else { return }
                let integer = !t.types.contains(.number)
                let phase: NumberPhase = b == UInt8(ascii: "-") ? .sign : b == UInt8(ascii: "0") ? .zero : .integer
                push(.number(integer: integer, phase: phase, digits: phase == .integer ? 1 : 0))
            default: return
            }
        case .anyOf, .reference, .pending:
            return  // expanded before a value frame is pushed
        }
    }

    func whitespace(_ c: Configuration, into out: inout [Configuration]) {
        guard c.whitespace < Self.maxWhitespaceRun else { return }
        var d = c
        d.whitespace += 1
        out.append(d)
    }

    /// The concrete nodes (typed or enumeration) a node stands for: references followed,
    /// `anyOf` flattened; a reference cycle that consumes nothing contributes nothing.
    static func expand(_ node: Int, schema: CompiledSchema) -> [Int] {
        var out: [Int] = []
        var visited = Set<Int>()
        func walk(_ n: Int) {
            guard visited.insert(n).inserted else { return }
            switch schema.nodes[n] {
            case let .reference(target): walk(target)
            case let .anyOf(options): options.forEach(walk)
            case .typed, .enumeration: if !out.contains(n) { out.append(n) }
            case .pending: break
            }
        }
        walk(node)
        return out
    }

    /// The escape state after a byte inside a string, nil when the byte is not allowed.
    /// Strings stay well-formed UTF-8 (RFC 3629: no overlongs, surrogates or bytes past
    /// U+10FFFF), so a length counted here is the length every client decodes.
    static func stringByte(_ b: UInt8, _ escape: Escape) -> Escape? {
        switch escape {
        case .none:
            if b == UInt8(ascii: "\\") { return .backslash }
            switch b {
            case 0x00..<0x20: return nil
            case 0x20..<0x80: return Escape.none
            case 0xC2...0xDF: return .utf8(remaining: 1, low: 0x80, high: 0xBF)
            case 0xE0: return .utf8(remaining: 2, low: 0xA0, high: 0xBF)
            case 0xED: return .utf8(remaining: 2, low: 0x80, high: 0x9F)
            case 0xE1...0xEF: return .utf8(remaining: 2, low: 0x80, high: 0xBF)
            case 0xF0: return .utf8(remaining: 3, low: 0x90, high: 0xBF)
            case 0xF1...0xF3: return .utf8(remaining: 3, low: 0x80, high: 0xBF)
            case 0xF4: return .utf8(remaining: 3, low: 0x80, high: 0x8F)
            default: return nil  // a stray continuation byte, C0, C1, F5–FF
            }
        case let .utf8(remaining, low, high):
            guard b >= low, b <= high else { return nil }
            return remaining > 1 ? .utf8(remaining: remaining - 1, low: 0x80, high: 0xBF) : Escape.none
        case .backslash:
            if b == UInt8(ascii: "u") { return .unicode(4) }
            return Array("\"\\/bfnrt".utf8).contains(b) ? Escape.none : nil
        case let .unicode(remaining):
            let hex = (0x30...0x39).contains(b) || (0x41...0x46).contains(b) || (0x61...0x66).contains(b)
            guard hex else { return nil }
            return remaining > 1 ? .unicode(remaining - 1) : Escape.none
        }
    }

    static func isTerminal(_ phase: NumberPhase) -> Bool {
        phase == .zero || phase == .integer || phase == .fraction || phase == .exponentDigits
    }

    /// The number's next phase, with digit limits that keep every value a finite double.
    static func advance(_ phase: NumberPhase, _ b: UInt8, integer: Bool, digits: Int) -> (NumberPhase, Int)? {
        let digit = (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b)
        let e = !integer && (b == UInt8(ascii: "e") || b == UInt8(ascii: "E"))
        let dot = !integer && b == UInt8(ascii: ".")
        switch phase {
        case .sign: return b == UInt8(ascii: "0") ? (.zero, 0) : digit ? (.integer, 1) : nil
        case .zero: return dot ? (.dot, 0) : e ? (.exponent, 0) : nil
        case .integer:
            if digit { return digits < maxIntegerDigits ? (.integer, digits + 1) : nil }
            return dot ? (.dot, 0) : e ? (.exponent, 0) : nil
        case .dot: return digit ? (.fraction, 1) : nil
        case .fraction:
            if digit { return digits < maxFractionDigits ? (.fraction, digits + 1) : nil }
            return e ? (.exponent, 0) : nil
        case .exponent:
            if b == UInt8(ascii: "+") || b == UInt8(ascii: "-") { return (.exponentSign, 0) }
            return digit ? (.exponentDigits, 1) : nil
        case .exponentSign: return digit ? (.exponentDigits, 1) : nil
        case .exponentDigits: return digit && digits < maxExponentDigits ? (.exponentDigits, digits + 1) : nil
        }
    }
}
