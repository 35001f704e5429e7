import Foundation
import Testing
@testable import Engine

@Suite struct JSONPrefixValidatorTests {
    func accepts(_ text: String) -> (ok: Bool, complete: Bool) {
        var v = JSONPrefixValidator()
        let ok = v.append(Array(text.utf8))
        return (ok, v.isComplete)
    }

    @Test(arguments: [
        #"{}"#, #"{"a":1}"#, #" { "a" : [1, -2.5e+3, true, false, null, "x\"y\u00e9"], "b": {"c": []} }"#,
        #"{"қазақ": "тілі"}"#, #"{"n": 0.5}"#, #"{"n": 0}"#,
    ])
    func completeObjects(_ text: String) {
        let r = accepts(text.trimmingCharacters(in: .whitespaces))
        #expect(r.ok && r.complete, "\(text)")
        #expect((try? JSONSerialization.jsonObject(with: Data(text.utf8))) != nil)
    }

    @Test(arguments: [#"{"a": "#, #"{"a": [1, 2"#, #"{"#, #"{"a": tr"#, #"{"a": -"#, #"{"s": "\u00"#])
    func validPrefixes(_ text: String) {
        let r = accepts(text)
        #expect(r.ok && !r.complete, "\(text)")
    }

    @Test(arguments: [#"[1]"#, #""x""#, #"{a: 1}"#, #"{"a" 1}"#, #"{"a": 01}"#, #"{"a": 1,}"#, #"{"a": tru}"#,
                      #"{"a": "\q"}"#, #"{} {}"#, #"{"a": 1]"#, "{\"a\": \"\n\"}", #"{"a": .5}"#])
    func invalid(_ text: String) {
        #expect(!accepts(text).ok, "\(text)")
    }

    /// Found by the json-prefix fuzz target: `5e2049` is valid grammar, but Foundation's
    /// parser refuses it (not a finite double). Numbers stay below 10^200 in magnitude.
    @Test func numbersStayFiniteDoubles() {
        let hundred = String(repeating: "9", count: 100)
        #expect(accepts(#"{"n": \#(hundred)e99, "m": -1.5E-12, "k": 0.\#(hundred)\#(hundred)}"#).complete)
        #expect(!accepts(#"{"n": 5e204"#).ok)
        #expect(!accepts(#"{"n": 1\#(hundred)"#).ok)
        #expect(!accepts(#"{"n": -1e+100"#).ok)
        #expect(accepts(#"{"n": -1e+10"#).ok)
    }

    @Test func rejectedAppendLeavesStateUnchanged() {
        var v = JSONPrefixValidator()
        let started = v.append(Array(#"{"a":"#.utf8))
        #expect(started)
        let before = v
        let closed = v.append(Array("}".utf8))
        #expect(!closed)
        #expect(v == before)
        let finished = v.append(Array("1}".utf8))
        #expect(finished && v.isComplete)
    }

    @Test func endlessWhitespaceIsCut() {
        var v = JSONPrefixValidator()
        let open = v.append(Array("{".utf8))
        let padded = v.append([UInt8](repeating: 0x20, count: 40))
        #expect(open && !padded)
    }
}
