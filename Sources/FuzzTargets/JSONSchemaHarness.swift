import Foundation
import StructuredOutput

/// A request's JSON Schema compiled for constrained output, then the matcher fed text
/// in chunks the way tokens arrive. Promises checked: compiling never traps, a rejected
/// chunk leaves the matcher unchanged, and text the matcher calls a whole value parses
/// with an independent parser (Foundation's).
///
/// Input: two bytes give the schema's length n (big-endian, capped by the input); the
/// next n bytes are the schema's JSON; then one byte sets the chunk length (1–16); the
/// rest is the text.
enum JSONSchemaHarness {
    static let target = FuzzTarget(name: "json-schema", summary: "json_schema response formats: schema compiler and byte-level matcher") {
        { bytes in
            guard bytes.count >= 3 else { return }
            let n = min(Int(bytes[0]) << 8 | Int(bytes[1]), bytes.count - 2)
            let schemaBytes = Data(bytes[2..<(2 + n)])
            let rest = Array(bytes[(2 + n)...])
            guard let value = try? JSONDecoder().decode(JSONValue.self, from: schemaBytes),
                  let schema = try? CompiledSchema.compile(value) else { return }
            guard let first = rest.first else { return }
            let chunk = Int(first % 16) + 1
            let text = Array(rest.dropFirst())
            var matcher = SchemaMatcher(schema)
            var accepted: [UInt8] = []
            var start = 0
            while start < text.count {
                let piece = Array(text[start..<min(text.count, start + chunk)])
                let before = matcher
                if matcher.append(piece) {
                    accepted += piece
                } else {
                    precondition(matcher == before, "a rejected chunk changed the matcher's state")
                }
                start += chunk
            }
            guard matcher.canEnd, !accepted.isEmpty, !JSONPrefixHarness.containsUnicodeEscape(accepted),
                  JSONPrefixHarness.maxNesting(accepted) < 400 else { return }
            precondition(String(validating: accepted, as: UTF8.self) != nil, "the matcher accepted text that is not UTF-8")
            precondition((try? JSONSerialization.jsonObject(with: Data(accepted), options: [.fragmentsAllowed])) != nil,
                         "the matcher accepted a value Foundation's parser rejects")
        }
    }
}
