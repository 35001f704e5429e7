import Foundation
import Testing
@testable import StructuredOutput

@Suite struct SchemaMatcherTests {
    func schema(_ json: String) throws -> CompiledSchema {
        try CompiledSchema.compile(try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8)))
    }

    /// Whether the whole text is accepted and can end there.
    func accepts(_ s: CompiledSchema, _ text: String, chunk: Int = 1) -> Bool {
        var m = SchemaMatcher(s)
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            guard m.append(Array(bytes[i..<min(bytes.count, i + chunk)])) else { return false }
            i += chunk
        }
        return m.canEnd
    }

    static let person = """
        {"type":"object","properties":{"name":{"type":"string","maxLength":10},"age":{"type":"integer"},
         "tags":{"type":"array","items":{"enum":["a","ab","b"]},"minItems":1,"maxItems":2},
         "city":{"anyOf":[{"type":"null"},{"$ref":"#/$defs/city"}]}},
         "required":["name","age"],"additionalProperties":false,
         "$defs":{"city":{"type":"string","enum":["Алматы","Астана"]}}}
        """

    @Test(arguments: [
        #"{"name":"Айгүл","age":30}"#,
        #"{ "age": -4, "name": "x", "tags": ["ab", "b"] }"#,
        #"{"name":"","age":0,"city":null}"#,
        #"{"name":"a\"b\u0041","age":7,"city":"Астана"}"#,
    ])
    func validPeopleAreAccepted(_ text: String) throws {
        let s = try schema(Self.person)
        #expect(accepts(s, text))
        #expect(accepts(s, text, chunk: 3))
    }

    @Test(arguments: [
        #"{"age":30}"#,                          // required name missing
        #"{"name":"x","age":3.5}"#,              // not an integer
        #"{"name":"x","age":1,"other":1}"#,      // undeclared key
        #"{"name":"x","name":"y","age":1}"#,     // duplicate key
        #"{"name":"01234567890","age":1}"#,      // maxLength 10
        #"{"name":"x","age":1,"tags":[]}"#,      // minItems 1
        #"{"name":"x","age":1,"tags":["a","a","a"]}"#,  // maxItems 2
        #"{"name":"x","age":1,"tags":["c"]}"#,   // not in enum
        #"{"name":"x","age":1,"city":"Шымкент"}"#,
        #"{"name":"x","age":1} "#,               // nothing after the value
        #"["name"]"#,
        #"{"name":"x","age":01}"#,
    ])
    func invalidPeopleAreRefused(_ text: String) throws {
        #expect(!accepts(try schema(Self.person), text))
    }

    @Test func aRefusedChunkLeavesTheStateUnchanged() throws {
        var m = SchemaMatcher(try schema(Self.person))
        let openedKey = m.append(Array(#"{"na"#.utf8))
        #expect(openedKey)
        let before = m
        let tookX = m.append(Array(#"x"#.utf8))
        #expect(!tookX)
        #expect(m == before)
        let finished = m.append(Array(#"me":"q","age":2}"#.utf8))
        #expect(finished)
        #expect(m.isComplete)
    }

    @Test func recursionThroughRefs() throws {
        let tree = try schema("""
            {"$ref":"#/$defs/node","$defs":{"node":{"type":"object","properties":{"v":{"type":"integer"},
             "kids":{"type":"array","items":{"$ref":"#/$defs/node"},"maxItems":2}},"required":["v"],"additionalProperties":false}}}
            """)
        #expect(accepts(tree, #"{"v":1,"kids":[{"v":2},{"v":3,"kids":[{"v":4,"kids":[]}]}]}"#))
        #expect(!accepts(tree, #"{"v":1,"kids":[{"v":2},{"v":3},{"v":4}]}"#))
        #expect(!accepts(tree, #"{"kids":[]}"#))
    }

    @Test func enumsThatArePrefixesOfEachOther() throws {
        let s = try schema(#"{"enum":[1,12,"x",null,true,{"a":[1]}]}"#)
        for ok in ["1", "12", "\"x\"", "null", "true", #"{"a":[1]}"#] { #expect(accepts(s, ok), "\(ok)") }
        for bad in ["2", "123", "\"y\"", "false", #"{"a":[2]}"#] { #expect(!accepts(s, bad), "\(bad)") }
        var m = SchemaMatcher(s)
        let tookOne = m.append(Array("1".utf8))
        #expect(tookOne)
        #expect(m.canEnd && !m.isComplete)  // "12" may still come
    }

    @Test func typeListsAndConst() throws {
        let s = try schema(#"{"type":"object","properties":{"k":{"const":"v"},"n":{"type":["number","null"]}},"required":["k","n"]}"#)
        #expect(accepts(s, #"{"k":"v","n":null}"#))
        #expect(accepts(s, #"{"n":-1.5e-3,"k":"v"}"#))
        #expect(!accepts(s, #"{"k":"w","n":1}"#))
        #expect(!accepts(s, #"{"k":"v","n":"1"}"#))
    }

    @Test func openSchemasTakeAnyJSON() throws {
        let s = try schema("{}")
        for ok in [#"{"a":[1,{"b":null}],"c":"d"}"#, "[]", "\"s\"", "-0.5", "false"] { #expect(accepts(s, ok), "\(ok)") }
        #expect(!accepts(s, "{,}"))
        let dict = try schema(#"{"type":"object","additionalProperties":{"type":"integer"}}"#)
        #expect(accepts(dict, #"{"x":1,"y":2}"#))
        #expect(!accepts(dict, #"{"x":"1"}"#))
        #expect(!accepts(dict, #"{"x":1,"x":2}"#))
    }

    @Test func whitespaceAndNumbersAreBounded() throws {
        let s = try schema(#"{"type":"array","items":{"type":"number"}}"#)
        #expect(!accepts(s, "[" + String(repeating: " ", count: 17) + "1]"))
        #expect(accepts(s, "[" + String(repeating: " ", count: 16) + "1]"))
        #expect(!accepts(s, "[1" + String(repeating: "0", count: 15) + "]"))
        #expect(!accepts(s, "[1e100]"))
        #expect(accepts(s, "[1e99, 0.5, -0]"))
    }

    @Test func stringLengthCountsCharacters() throws {
        let s = try schema(#"{"type":"string","minLength":2,"maxLength":3}"#)
        #expect(accepts(s, "\"әбв\""))        // 3 characters, 6 bytes
        #expect(!accepts(s, "\"әбвг\""))
        #expect(!accepts(s, "\"ә\""))
        #expect(accepts(s, #""a\nb""#))
    }

    @Test(arguments: [
        (#"{"type":"string","pattern":"^a"}"#, "pattern"),
        (#"{"type":"string","format":"date"}"#, "format"),
        (#"{"type":"integer","minimum":0}"#, "minimum"),
        (#"{"oneOf":[{"type":"string"}]}"#, "oneOf"),
        (#"{"allOf":[{"type":"string"}]}"#, "allOf"),
        (#"{"type":"object","properties":{"a":{"type":"array","uniqueItems":true}}}"#, "uniqueItems"),
        (#"{"type":"object","patternProperties":{}}"#, "patternProperties"),
        (#"{"x-custom":1}"#, "x-custom"),
    ])
    func unsupportedKeywordsAreNamed(_ json: String, _ keyword: String) throws {
        #expect {
            _ = try schema(json)
        } throws: { error in
            (error as? SchemaError)?.keyword == keyword && "\(error)".contains("'\(keyword)'")
        }
    }

    @Test(arguments: [
        ##"{"$ref":"#/$defs/missing"}"##,
        #"{"$ref":"http://example.com/s.json"}"#,
        #"{"type":"strin"}"#,
        #"{"type":"array","minItems":-1}"#,
        #"{"type":"array","minItems":3,"maxItems":2}"#,
        #"{"type":"object","properties":{"a":{"type":"string"}},"required":["b"],"additionalProperties":false}"#,
        #"{"enum":[]}"#,
        #"{"anyOf":[]}"#,
        #"{"type":"string","anyOf":[{"maxLength":2}]}"#,
        "false",
        "3",
    ])
    func invalidSchemasAreRefused(_ json: String) {
        #expect(throws: SchemaError.self) { _ = try schema(json) }
    }

    @Test func aSelfReferenceThatConsumesNothingDoesNotLoop() throws {
        let s = try schema(##"{"$defs":{"a":{"anyOf":[{"$ref":"#/$defs/a"},{"type":"null"}]}},"$ref":"#/$defs/a"}"##)
        #expect(accepts(s, "null"))
    }
}
