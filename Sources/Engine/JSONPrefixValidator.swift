/// Checks, byte by byte, that text is a prefix of one JSON object (RFC 8259),
/// so `response_format: json_object` can mask every token that would break
/// it. Bytes ≥ 0x80 are accepted inside strings only, which lets a token end
/// mid-character.
public struct JSONPrefixValidator: Sendable, Equatable {
    private enum Container: Sendable, Equatable { case object, array }
    private enum Expect: Sendable, Equatable { case value, valueOrClose, key, keyOrClose, colon, commaOrClose, end }
    private enum Number: Sendable, Equatable { case sign, zero, integer, dot, fraction, exponent, exponentSign, exponentDigits }
    private enum Lexeme: Sendable, Equatable {
        case none
        case string(key: Bool)
        case escape(key: Bool)
        case unicode(key: Bool, remaining: Int)
        case number(Number)
        case literal([UInt8], next: Int)
    }

    private var stack: [Container] = []
    private var expect = Expect.value
    private var lexeme = Lexeme.none
    private var whitespaceRun = 0
    /// Digits so far in the current number's integer part, or in its exponent.
    private var numberDigits = 0
    static let maxIntegerDigits = 100, maxExponentDigits = 2
    /// Whitespace bytes allowed in a row: a model can otherwise pad forever.
    public var maxWhitespaceRun = 16
    /// The top-level object has closed.
    public private(set) var isComplete = false

    public init() {}

    /// Appends `bytes` if the result is still a valid prefix; otherwise leaves self unchanged.
    public mutating func append(_ bytes: [UInt8]) -> Bool {
        var trial = self
        for b in bytes where !trial.feed(b) { return false }
        self = trial
        return true
    }

    private mutating func feed(_ b: UInt8) -> Bool {
        switch lexeme {
        case let .string(key):
            if b == UInt8(ascii: "\"") { lexeme = .none; key ? (expect = .colon) : valueEnded(); return true }
            if b == UInt8(ascii: "\\") { lexeme = .escape(key: key); return true }
            return b >= 0x20
        case let .escape(key):
            if b == UInt8(ascii: "u") { lexeme = .unicode(key: key, remaining: 4); return true }
            guard Array("\"\\/bfnrt".utf8).contains(b) else { return false }
            lexeme = .string(key: key)
            return true
        case let .unicode(key, remaining):
            guard Self.isHex(b) else { return false }
            lexeme = remaining > 1 ? .unicode(key: key, remaining: remaining - 1) : .string(key: key)
            return true
        case let .literal(word, next):
            guard b == word[next] else { return false }
            if next + 1 == word.count { lexeme = .none; valueEnded() } else { lexeme = .literal(word, next: next + 1) }
            return true
        case let .number(phase):
            if let after = Self.advance(phase, b) {
                switch after {
                case .integer: numberDigits += 1
                case .exponent, .exponentSign: numberDigits = 0
                case .exponentDigits: numberDigits += 1
                default: break
                }
                // Every number stays a finite double in every client's parser (Foundation's
                // rejects 5e2049 outright; found by the json-prefix fuzz target): at most
                // 100 integer digits and a two-digit exponent, |x| < 10^200.
                if after == .integer, numberDigits > Self.maxIntegerDigits { return false }
                if after == .exponentDigits, numberDigits > Self.maxExponentDigits { return false }
                lexeme = .number(after)
                return true
            }
            guard [.zero, .integer, .fraction, .exponentDigits].contains(phase) else { return false }
            lexeme = .none
            valueEnded()
            return structural(b)
        case .none:
            return structural(b)
        }
    }

    private mutating func structural(_ b: UInt8) -> Bool {
        if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D {
            whitespaceRun += 1
            return !isComplete && whitespaceRun <= maxWhitespaceRun
        }
        whitespaceRun = 0
        switch expect {
        case .value, .valueOrClose:
            if expect == .valueOrClose, b == UInt8(ascii: "]") { stack.removeLast(); valueEnded(); return true }
            // json_object: the top level is an object.
            if stack.isEmpty, b != UInt8(ascii: "{") { return false }
            switch b {
            case UInt8(ascii: "{"): stack.append(.object); expect = .keyOrClose
            case UInt8(ascii: "["): stack.append(.array); expect = .valueOrClose
            case UInt8(ascii: "\""): lexeme = .string(key: false)
            case UInt8(ascii: "-"): lexeme = .number(.sign); numberDigits = 0
            case UInt8(ascii: "0"): lexeme = .number(.zero); numberDigits = 0
            case UInt8(ascii: "1")...UInt8(ascii: "9"): lexeme = .number(.integer); numberDigits = 1
            case UInt8(ascii: "t"): lexeme = .literal(Array("true".utf8), next: 1)
            case UInt8(ascii: "f"): lexeme = .literal(Array("false".utf8), next: 1)
            case UInt8(ascii: "n"): lexeme = .literal(Array("null".utf8), next: 1)
            default: return false
            }
            return true
        case .key, .keyOrClose:
            if b == UInt8(ascii: "\"") { lexeme = .string(key: true); return true }
            if expect == .keyOrClose, b == UInt8(ascii: "}") { stack.removeLast(); valueEnded(); return true }
            return false
        case .colon:
            guard b == UInt8(ascii: ":") else { return false }
            expect = .value
            return true
        case .commaOrClose:
            let top = stack.last
            if b == UInt8(ascii: ",") { expect = top == .object ? .key : .value; return true }
            if (b == UInt8(ascii: "}") && top == .object) || (b == UInt8(ascii: "]") && top == .array) {
                stack.removeLast()
                valueEnded()
                return true
            }
            return false
        case .end:
            return false
        }
    }

    private mutating func valueEnded() {
        if stack.isEmpty { isComplete = true; expect = .end } else { expect = .commaOrClose }
    }

    private static func isHex(_ b: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(b)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(b)
    }

    private static func advance(_ phase: Number, _ b: UInt8) -> Number? {
        let digit = (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b)
        let e = b == UInt8(ascii: "e") || b == UInt8(ascii: "E")
        switch phase {
        case .sign: return b == UInt8(ascii: "0") ? .zero : digit ? .integer : nil
        case .zero: return b == UInt8(ascii: ".") ? .dot : e ? .exponent : nil
        case .integer: return digit ? .integer : b == UInt8(ascii: ".") ? .dot : e ? .exponent : nil
        case .dot: return digit ? .fraction : nil
        case .fraction: return digit ? .fraction : e ? .exponent : nil
        case .exponent: return b == UInt8(ascii: "+") || b == UInt8(ascii: "-") ? .exponentSign : digit ? .exponentDigits : nil
        case .exponentSign, .exponentDigits: return digit ? .exponentDigits : nil
        }
    }
}
