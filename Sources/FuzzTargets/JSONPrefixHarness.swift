import Engine
import Foundation

/// The byte-by-byte JSON validator behind `response_format: json_object`, fed the
/// input in chunks the way tokens arrive. Two promises are checked: a rejected chunk
/// leaves the state unchanged, and a document it calls complete is JSON that an
/// independent parser (Foundation's) accepts.
///
/// Input: the first byte sets the chunk length (1–16 bytes); the rest is the text.
enum JSONPrefixHarness {
    static let target = FuzzTarget(name: "json-prefix", summary: "json_object constraint: chunked prefix validation against Foundation's parser") {
        { bytes in
            guard let first = bytes.first else { return }
            let chunk = Int(first % 16) + 1
            let text = Array(bytes.dropFirst())
            var validator = JSONPrefixValidator()
            var accepted: [UInt8] = []
            var start = 0
            while start < text.count {
                let piece = Array(text[start..<min(text.count, start + chunk)])
                let before = validator
                if validator.append(piece) {
                    accepted += piece
                } else {
                    precondition(validator == before, "a rejected chunk changed the validator's state")
                }
                start += chunk
            }
            guard validator.isComplete, String(validating: accepted, as: UTF8.self) != nil,
                  !containsUnicodeEscape(accepted), maxNesting(accepted) < 400 else { return }
            // Foundation rejects lone UTF-16 surrogates in \u escapes and nesting past 512, which
            // RFC 8259 leaves to implementations; everything else complete must parse.
            precondition((try? JSONSerialization.jsonObject(with: Data(accepted))) != nil,
                         "the validator accepted a document Foundation's parser rejects")
        }
    }

    static func containsUnicodeEscape(_ b: [UInt8]) -> Bool {
        guard b.count >= 2 else { return false }
        for i in 0..<(b.count - 1) where b[i] == UInt8(ascii: "\\") && b[i + 1] == UInt8(ascii: "u") { return true }
        return false
    }

    /// Deepest nesting of arrays and objects, outside strings.
    static func maxNesting(_ b: [UInt8]) -> Int {
        var depth = 0, deepest = 0, inString = false, escaped = false
        for c in b {
            if inString {
                if escaped { escaped = false } else if c == UInt8(ascii: "\\") { escaped = true } else if c == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch c {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"): depth += 1; deepest = max(deepest, depth)
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        return deepest
    }
}
