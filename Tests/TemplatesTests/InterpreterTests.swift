import Testing
@testable import Templates

private func render(_ src: String, _ ctx: [String: TemplateValue] = [:]) throws -> String {
    try ChatTemplate(source: src).render(ctx)
}

struct InterpreterTests {
    static let cases: [(String, String, [String: TemplateValue])] = [
        ("Hello {{ name }}!", "Hello World!", ["name": "World"]),
        ("{{ missing }}|{{ missing.attr }}|{{ missing is defined }}", "||False", [:]),
        ("{% for x in xs %}{{ loop.index }}{{ loop.index0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ loop.revindex }};{% endfor %}",
         "10True False33;21False False32;32False True31;".replacingOccurrences(of: " ", with: ""), ["xs": [1, 2, 3]]),
        ("{% for k, v in d|items %}{{ k }}={{ v }},{% endfor %}", "b=1,a=2,", ["d": ["b": 1, "a": 2]]),
        ("{% for x in [] %}x{% else %}empty{% endfor %}", "empty", [:]),
        ("{% for x in range(10) %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 4 %}{% break %}{% endif %}{{ x }}{% endfor %}", "013", [:]),
        ("{% if a %}A{% elif b %}B{% else %}C{% endif %}", "B", ["a": false, "b": true]),
        ("{% set x = 1 %}{% for i in range(3) %}{% set x = x + i %}{{ x }}{% endfor %}{{ x }}", "1231", [:]),
        ("{% set ns = namespace(n=0) %}{% for i in range(4) %}{% set ns.n = ns.n + i %}{% endfor %}{{ ns.n }}", "6", [:]),
        ("{% set s %}a{{ 1 + 1 }}b{% endset %}[{{ s }}]", "[a2b]", [:]),
        ("{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}{{ greet('A') }} {{ greet('B', '?') }}", "Hi A! Hi B?", [:]),
        ("{{ 'yes' if c else 'no' }}{{ 'x' if not c }}", "nox", ["c": false]),
        ("{{ 1 and 2 }} {{ 0 or 'z' }} {{ not 0 }}", "2 z True", [:]),
        ("{{ 'a' in 'cat' }} {{ 2 not in [1, 3] }} {{ 'k' in {'k': 1} }}", "True True True", [:]),
        ("{{ 7 // 2 }} {{ -7 // 2 }} {{ -7 % 3 }} {{ 7 / 2 }} {{ 2 ** 10 }} {{ 1 + 2 * 3 }} {{ 'a' ~ 1 }}", "3 -4 2 3.5 1024 7 a1", [:]),
        ("{{ xs[1:] }} {{ xs[::-1] }} {{ xs[-1] }} {{ 'hello'[1:3] }}", "[2, 3] [3, 2, 1] 3 el", ["xs": [1, 2, 3]]),
        ("{{ ms[i - 1].role }}", "user", ["ms": [["role": "user"], ["role": "bot"]], "i": 1]),
        ("{{ [1, 'a', 2.0, none, true] }} {{ {'k': [1]} }}", "[1, 'a', 2.0, None, True] {'k': [1]}", [:]),
        ("{{ ' x '|trim }}|{{ 'ab'|upper }}|{{ 'AB'|lower }}|{{ 'hello world'|title }}|{{ 'hELLO'|capitalize }}", "x|AB|ab|Hello World|Hello", [:]),
        ("{{ xs|length }} {{ xs|first }} {{ xs|last }} {{ xs|join(', ') }} {{ xs|reverse|list }} {{ xs|sum }}", "3 1 3 1, 2, 3 [3, 2, 1] 6", ["xs": [1, 2, 3]]),
        ("{{ u|default('d') }} {{ ''|d('e', true) }} {{ none|default('n') }}", "d e None", [:]),
        ("{{ d|tojson }}|{{ d|tojson(indent=2) }}", "{\"a\": [1, \"é\"], \"b\": {}}|{\n  \"a\": [\n    1,\n    \"é\"\n  ],\n  \"b\": {}\n}", ["d": ["a": [1, "é"], "b": [:]]]),
        ("{{ ['b', 'A', 'c']|sort|join }} {{ [1, 2, 1]|unique|list }} {{ 'a-b'|replace('-', '+') }}", "Abc [1, 2] a+b", [:]),
        ("{{ '3'|int + 1 }} {{ '2.5'|float }} {{ -3|abs }} {{ 2.567|round(2) }} {{ 5|string ~ 'x' }}", "4 2.5 3 2.57 5x", [:]),
        ("{{ ms|map(attribute='r')|join }} {{ ms|selectattr('r', 'equalto', 'a')|list|length }} {{ ms|rejectattr('r', 'equalto', 'a')|list|length }}", "ab 1 1", ["ms": [["r": "a"], ["r": "b"]]]),
        ("{{ ['x', 'code', 'y']|reject('equalto', 'code')|join(', ') }} {{ [1, 2, 3, 4]|select('even')|list }}", "x, y [2, 4]", [:]),
        ("{{ 'a\nb'|indent(2) }}|{{ 'a\nb'|indent(2, true) }}", "a\n  b|  a\n  b", [:]),
        ("{{ {'b': 1, 'a': 2}|dictsort }} {{ [3, 1, 2]|min }} {{ [3, 1, 2]|max }} {{ 'one two three'|wordcount }}", "[['a', 2], ['b', 1]] 1 3 3", [:]),
        ("{{ d|items|list }} {{ d.keys()|list }} {{ d.values()|list }} {{ d.get('z', 9) }} {{ d.get('a') }}", "[['a', 1]] ['a'] [1] 9 1", ["d": ["a": 1]]),
        ("{{ ' x '.strip() }}|{{ '\nx\n'.lstrip('\n') }}|{{ 'x\n\n'.rstrip('\n') }}|{{ 'a,b'.split(',') }}|{{ ' a  b '.split() }}", "x|x\n|x|['a', 'b']|['a', 'b']", [:]),
        ("{{ 'abc'.startswith('ab') }} {{ 'abc'.endswith('bc') }} {{ 'ab'.upper() }} {{ 'AB'.lower() }} {{ 'aXa'.replace('a', 'b') }} {{ 'a b'.title() }}", "True True AB ab bXb A B", [:]),
        ("{% set xs = [] %}{% set _ = xs.append(1) %}{{ xs }}", "[1]", [:]),
        ("{{ x is none }} {{ x is not none }} {{ 's' is string }} {{ 1 is number }} {{ 1 is integer }} {{ true is boolean }} {{ {} is mapping }} {{ [] is iterable }} {{ [] is sequence }}", "True False True True True True True True True", ["x": nil]),
        ("{{ true is true }} {{ false is false }} {{ 2 is even }} {{ 3 is odd }} {{ 3 is equalto 3 }} {{ 1 is undefined }}", "True True True True True False", [:]),
        ("{{ (1 == 1) != (2 % 2 == 0) }} {{ 1 < 2 < 3 }} {{ 'a' < 'b' }}", "False True True", [:]),
        ("{{ dict(a=1)|tojson }} {{ namespace(x=1).x }}", "{\"a\": 1} 1", [:]),
        ("{% set d = {4096: 512, 'k': 1} %}{{ d[4096] }} {{ 4096 in d }} {% for k, v in d|items %}{{ k + 0 if k is number else k }}{% endfor %}", "512 True 4096k", [:]),
        ("{{ '<{}|{}>'.format('a', 1) }}", "<a|1>", [:]),
        ("{# comment #}a{#- c -#} b", "ab", [:]),
        ("  {% if true %}\n  x\n  {% endif %}\ny", "  x\ny", [:]),
        ("a  {{- 'b' -}}  c\n{%- if true -%}\n d {%+ if true %}e{% endif %}{% endif %}", "abcd e", [:]),
        ("{% raw %}{{ not parsed }}{% endraw %}", "{{ not parsed }}", [:]),
        ("{% for x in xs if x > 1 %}{{ x }}{{ loop.index }}{% endfor %}", "2132", ["xs": [1, 2, 3]]),
        ("{{ \"Сәлем! Қалайсың?\"|upper }} {{ \"Сәлем\"|length }}", "СӘЛЕМ! ҚАЛАЙСЫҢ? 5", [:]),
        ("{% filter upper %}ab{% endfilter %}", "AB", [:]),
        ("{{ 'x' ~ u ~ 'y' }}", "xy", [:]),
        ("{{ none|selectattr('type', 'equalto', 'x')|list|length }}{{ none|map(attribute='a')|list }}", "0[]", [:]),
        ("{{ 3.0 }} {{ 1e20 }} {{ 0.1 + 0.2 }}", "3.0 1e+20 0.30000000000000004", [:]),
    ]

    @Test func tableDriven() throws {
        for (src, expected, ctx) in Self.cases {
            let got: String
            do { got = try render(src, ctx) } catch {
                Issue.record("\(src) threw \(error)")
                continue
            }
            #expect(got == expected, "template: \(src)")
        }
    }

    @Test func unclosedTagHasLocation() {
        do {
            _ = try ChatTemplate(source: "line1\n  {{ x ")
            Issue.record("expected error")
        } catch let e as TemplateError {
            guard case .syntax(_, let loc) = e else { Issue.record("wrong error \(e)"); return }
            #expect(loc.line == 2)
            #expect(loc.column == 3)
        } catch { Issue.record("untyped error \(error)") }
    }

    @Test func unclosedBlock() {
        #expect(throws: TemplateError.self) { try ChatTemplate(source: "{% if x %}abc") }
        #expect(throws: TemplateError.self) { try ChatTemplate(source: "{% for x in y %}") }
        #expect(throws: TemplateError.self) { try ChatTemplate(source: "{{ 'abc }}") }
        #expect(throws: TemplateError.self) { try ChatTemplate(source: "{% endif %}") }
    }

    @Test func raiseException() {
        #expect(throws: TemplateError.raised("boom")) { try render("a{{ raise_exception('boom') }}") }
    }

    @Test func unknownFilterAndTest() {
        do {
            _ = try ChatTemplate(source: "{{ x | nosuchfilter }}")
            Issue.record("expected error")
        } catch let e as TemplateError {
            #expect(e.message.contains("nosuchfilter"))
            #expect(e.location == SourceLocation(line: 1, column: 8))
        } catch { Issue.record("untyped error \(error)") }
        #expect(throws: TemplateError.self) { try ChatTemplate(source: "{{ x is nosuchtest }}") }
        // Inside an if body Jinja 3 defers the check to when the branch runs.
        #expect(throws: Never.self) { try render("{% if false %}{{ x | nosuchfilter }}{% endif %}ok") }
        #expect(throws: TemplateError.self) { try render("{% if true %}{{ x | nosuchfilter }}{% endif %}") }
    }

    @Test func runtimeErrors() {
        #expect(throws: TemplateError.self) { try render("{{ 1 / 0 }}") }
        #expect(throws: TemplateError.self) { try render("{{ 1 + 'a' }}") }
        #expect(throws: TemplateError.self) { try render("{{ u + 'a' }}") }
        #expect(throws: TemplateError.self) { try render("{{ nofunc() }}") }
        #expect(throws: TemplateError.self) { try render("{% for x in none %}{% endfor %}") }
        #expect(throws: TemplateError.self) { try render("{{ 9223372036854775807 + 1 }}") }
    }

    @Test func limits() throws {
        var limits = TemplateLimits()
        limits.maxOutputBytes = 1000
        let t = try ChatTemplate(source: "{% for i in range(100000) %}xxxxxxxxxx{% endfor %}", limits: limits)
        #expect(throws: TemplateError.self) { try t.render([:]) }
        #expect(throws: TemplateError.self) { try render("{{ 'x' * 100000000000 }}") }
        #expect(throws: TemplateError.self) { try render("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}") }
        #expect(throws: TemplateError.self) { try render("{{ range(-9223372036854775807, 9223372036854775807)|length }}") }
        #expect(throws: TemplateError.self) { try render("{{ 'ab' * 9223372036854775807 }}") }
        #expect(try render("{{ [1, 2, 3][1::9223372036854775807] }}{{ range(10, 0, -3)|list }}") == "[2][10, 7, 4, 1]")
        let deep = String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000)
        #expect(throws: TemplateError.self) { try ChatTemplate(source: "{{ \(deep) }}") }
    }

    @Test func jsonRoundTripKeepsOrder() throws {
        let v = try TemplateValue(json: #"{"z": 1, "a": [true, null, 2.5, "\u00e9\n"]}"#)
        #expect(v.jsonString() == "{\"z\": 1, \"a\": [true, null, 2.5, \"é\\n\"]}")
    }
}
