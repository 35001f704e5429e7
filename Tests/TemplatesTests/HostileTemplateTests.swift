import Foundation
import Testing
@testable import Templates

/// Chat templates come from downloaded model files: a hostile one must be refused quickly, with a
/// `TemplateError` that names the limit, and never hang, exhaust memory, trap or reach internals.
struct HostileTemplateTests {
    enum Expect: Sendable {
        /// `.limitExceeded` whose message contains the text.
        case limit(String)
        /// `.runtime` whose message contains the text.
        case runtime(String)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var source: String
        var expect: Expect
        var limits = TemplateLimits()
        var testDescription: String { name }
    }

    static func limits(_ change: (inout TemplateLimits) -> Void) -> TemplateLimits {
        var l = TemplateLimits()
        change(&l)
        return l
    }

    static let recursion: [Case] = [
        Case(name: "macro calling itself twice per level",
             source: "{% macro f() %}{{ f() }}{{ f() }}{% endmacro %}{{ f() }}",
             expect: .limit("chat template exceeded the macro recursion depth of 64")),
        Case(name: "2^60 cheap macro calls stop at the step limit",
             source: "{% macro f(n) %}{% if n > 0 %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(60) }}",
             expect: .limit("chat template exceeded 200000 steps"), limits: limits { $0.maxSteps = 200_000 }),
        Case(name: "2^60 cheap macro calls stop at the time limit",
             source: "{% macro f(n) %}{% if n > 0 %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(60) }}",
             expect: .limit("chat template exceeded the time limit of 50 ms"), limits: limits { $0.maxDuration = .milliseconds(50) }),
        Case(name: "recursion deeper than the expression depth",
             source: "{% macro f() %}{% if true %}{{ f() }}{% endif %}{% endmacro %}{{ f() }}",
             expect: .limit("chat template exceeded the expression depth of 256"), limits: limits { $0.maxMacroDepth = 100_000 }),
        Case(name: "caller recursion",
             source: "{% macro f() %}{% call f() %}x{% endcall %}{% endmacro %}{{ f() }}",
             expect: .limit("macro recursion depth of 64")),
    ]

    static let loops: [Case] = [
        Case(name: "range(100000000)", source: "{% for i in range(100000000) %}{% endfor %}",
             expect: .limit("chat template exceeded 1000000 loop iterations")),
        Case(name: "range over the whole Int span", source: "{{ range(-9223372036854775807, 9223372036854775807)|length }}",
             expect: .limit("1000000 loop iterations")),
        Case(name: "range with a huge negative step count", source: "{{ range(9223372036854775807, -9223372036854775807, -1)|length }}",
             expect: .limit("1000000 loop iterations")),
        Case(name: "nested loops past the total", source: "{% for i in range(200) %}{% for j in range(200) %}{% endfor %}{% endfor %}",
             expect: .limit("chat template exceeded 10000 loop iterations"), limits: limits { $0.maxLoopIterations = 10_000 }),
        Case(name: "long loop under a tiny time limit", source: "{% for i in range(1000000) %}{{ i }}{% endfor %}",
             expect: .limit("chat template exceeded the time limit of 50 ms"), limits: limits { $0.maxDuration = .milliseconds(50) }),
        Case(name: "quadratic unique under a tiny time limit", source: "{{ range(1000000)|unique|list|length }}",
             expect: .limit("time limit of 100 ms"), limits: limits { $0.maxDuration = .milliseconds(100) }),
        Case(name: "cancelled by shouldStop", source: "{% for i in range(100000) %}{{ i }}{% endfor %}",
             expect: .limit("chat template rendering was cancelled"), limits: limits { $0.shouldStop = { true } }),
    ]

    static let memory: [Case] = [
        Case(name: "doubling with ~ in a loop",
             source: "{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}",
             expect: .limit("chat template exceeded the string limit of 16777216 bytes")),
        Case(name: "doubling with + in a loop",
             source: "{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s + ns.s %}{% endfor %}",
             expect: .limit("string limit of 16777216 bytes")),
        Case(name: "replace amplification",
             source: "{% set ns = namespace(s='xx') %}{% for i in range(64) %}{% set ns.s = ns.s.replace('x', 'xxxxxxxx') %}{% endfor %}",
             expect: .limit("string limit")),
        Case(name: "replace filter amplification",
             source: "{% set ns = namespace(s='xx') %}{% for i in range(64) %}{% set ns.s = ns.s|replace('x', 'xxxxxxxx') %}{% endfor %}",
             expect: .limit("string limit")),
        Case(name: "'x' * 20000000", source: "{{ 'x' * 20000000 }}", expect: .limit("string limit of 16777216 bytes")),
        Case(name: "'x' * Int.max", source: "{{ 'x' * 9223372036854775807 }}", expect: .limit("string limit")),
        Case(name: "'ab' * Int.max overflows the size", source: "{{ 'ab' * 9223372036854775807 }}", expect: .limit("string limit")),
        Case(name: "Int.max * 'ab'", source: "{{ 9223372036854775807 * 'ab' }}", expect: .limit("string limit")),
        Case(name: "list * 20000000", source: "{{ ([1] * 20000000)|length }}",
             expect: .limit("chat template exceeded the list limit of 1000000 items")),
        Case(name: "list * Int.max", source: "{{ ([1, 2] * 9223372036854775807)|length }}", expect: .limit("list limit")),
        Case(name: "30 MB string on every iteration",
             source: "{% for i in range(1000) %}{% set s = 'x' * 30000000 %}{% endfor %}", expect: .limit("string limit")),
        Case(name: "1 MB string on every iteration, 1000 times",
             source: "{% for i in range(1000) %}{% set s = 'x' * 1000000 %}{% endfor %}",
             expect: .limit("chat template exceeded the allocation limit of 268435456 bytes")),
        Case(name: "output limit", source: "{% for i in range(100000) %}{{ 'x' * 1000 }}{% endfor %}",
             expect: .limit("chat template exceeded the output limit of 16777216 bytes")),
        Case(name: "set block capture", source: "{% set s %}{% for i in range(100000) %}{{ 'x' * 1000 }}{% endfor %}{% endset %}",
             expect: .limit("string limit")),
        Case(name: "macro output capture", source: "{% macro m() %}{% for i in range(100000) %}{{ 'x' * 1000 }}{% endfor %}{% endmacro %}{% set s = m() %}",
             expect: .limit("string limit")),
        Case(name: "join amplification", source: "{{ (['x' * 1000000] * 20)|join }}", expect: .limit("string limit")),
        Case(name: "join method amplification", source: "{{ ('x' * 1000000).join(['a'] * 20) }}", expect: .limit("string limit")),
        Case(name: "format amplification",
             source: "{{ '{0}{0}{0}{0}{0}{0}{0}{0}{0}{0}{0}{0}{0}{0}{0}{0}{0}{0}{0}{0}'.format('x' * 1000000) }}", expect: .limit("string limit")),
        // 10^8 shared leaves: printing must stop at the string limit (small here: debug builds print slowly).
        Case(name: "tojson of a shared nested list", source: "{% set a = ['x' * 100] * 1000 %}{% set b = [a] * 1000 %}{{ b|tojson }}",
             expect: .limit("string limit of 4194304 bytes"), limits: limits { $0.maxStringBytes = 4 << 20 }),
        Case(name: "printing a shared nested list", source: "{% set a = ['x' * 100] * 1000 %}{% set b = [a] * 1000 %}{{ b }}",
             expect: .limit("string limit of 4194304 bytes"), limits: limits { $0.maxStringBytes = 4 << 20 }),
        Case(name: "indent amplification", source: "{{ ('\\n' * 1000000)|indent(100, blank=true) }}", expect: .limit("string limit")),
        Case(name: "indent with a huge pad string", source: "{{ ('a\\n' * 1000)|indent('x' * 1000000) }}", expect: .limit("string limit")),
        Case(name: "center", source: "{{ 'x'|center(100000000) }}", expect: .limit("string limit")),
        Case(name: "escape amplification", source: "{{ ('<' * 5000000)|escape }}", expect: .limit("string limit")),
        Case(name: "repr amplification", source: "{{ ['\u{01}' * 5000000] }}", expect: .limit("string limit")),
        Case(name: "iterating a huge string", source: "{% for c in 'x' * 10000000 %}{% endfor %}", expect: .limit("list limit")),
        Case(name: "split into too many parts", source: "{{ (',' * 5000000).split(',')|length }}", expect: .limit("list limit")),
        Case(name: "ever deeper list through a namespace",
             source: "{% set ns = namespace(x=1) %}{% for i in range(100000) %}{% set ns.x = [ns.x] %}{% endfor %}",
             expect: .limit("chat template exceeded the value nesting depth of 256")),
        Case(name: "ever deeper list through append",
             source: "{% set xs = [] %}{% for i in range(100000) %}{% set _ = xs.append(xs) %}{% endfor %}",
             expect: .limit("value nesting depth of 64"), limits: limits { $0.maxValueDepth = 64 }),
        Case(name: "ever deeper batch chain", source: "{{ [1]" + String(repeating: "|batch(1)", count: 150) + " }}",
             expect: .limit("value nesting depth of 100"), limits: limits { $0.maxValueDepth = 100 }),
        Case(name: "namespace cycle printed", source: "{% set ns = namespace() %}{% set ns.me = ns %}{{ ns }}",
             expect: .limit("value nesting depth")),
        Case(name: "namespace cycle as JSON", source: "{% set ns = namespace() %}{% set ns.me = ns %}{{ ns|tojson }}",
             expect: .limit("value nesting depth")),
        Case(name: "strftime amplification", source: "{{ strftime_now('%B' * 8000000) }}", expect: .limit("string limit")),
    ]

    static let escapes: [Case] = [
        Case(name: "''.__class__", source: "{{ ''.__class__ }}", expect: .runtime("access to attribute '__class__' of a 'str' value is not allowed")),
        Case(name: "x.__init__", source: "{{ x.__init__ }}", expect: .runtime("'__init__'")),
        Case(name: "cycler.__init__.__globals__", source: "{{ cycler.__init__.__globals__ }}", expect: .runtime("not allowed")),
        Case(name: "namespace.__dict__", source: "{{ namespace.__dict__ }}", expect: .runtime("'__dict__' of a 'function' value is not allowed")),
        Case(name: "namespace().__dict__", source: "{{ namespace(a=1).__dict__ }}", expect: .runtime("not allowed")),
        Case(name: "mro walk", source: "{{ ''.__class__.__mro__[1].__subclasses__() }}", expect: .runtime("not allowed")),
        Case(name: "method call on a dunder", source: "{{ messages.__len__() }}", expect: .runtime("not allowed")),
        Case(name: "attr filter", source: "{{ 'x'|attr('__class__') }}", expect: .runtime("not allowed")),
        Case(name: "map(attribute=)", source: "{{ ['a']|map(attribute='__class__')|list }}", expect: .runtime("not allowed")),
        Case(name: "dunder key on a dict", source: "{{ {'__class__': 1}.__class__ }}", expect: .runtime("not allowed")),
        Case(name: "private attribute of a string", source: "{{ 'x'._private }}", expect: .runtime("not allowed")),
        Case(name: "loop.__class__", source: "{% for i in [1] %}{{ loop.cycle.__globals__ }}{% endfor %}", expect: .runtime("not allowed")),
    ]

    static let integers: [Case] = [
        Case(name: "Int.max + 1", source: "{{ 9223372036854775807 + 1 }}", expect: .runtime("integer overflow")),
        Case(name: "Int.min - 1", source: "{{ -9223372036854775807 - 2 }}", expect: .runtime("integer overflow")),
        Case(name: "Int.max * 2", source: "{{ 9223372036854775807 * 2 }}", expect: .runtime("integer overflow")),
        Case(name: "2 ** 64", source: "{{ 2 ** 64 }}", expect: .runtime("integer overflow")),
        Case(name: "3 ** Int.max", source: "{{ 3 ** 9223372036854775807 }}", expect: .runtime("integer overflow")),
        Case(name: "Int.min // -1", source: "{{ (-9223372036854775807 - 1) // -1 }}", expect: .runtime("integer overflow")),
        Case(name: "-Int.min", source: "{{ -(-9223372036854775807 - 1) }}", expect: .runtime("integer overflow")),
        Case(name: "sum overflows", source: "{{ [9223372036854775807, 1]|sum }}", expect: .runtime("integer overflow")),
    ]

    static func check(_ c: Case) throws {
        let t = try ChatTemplate(source: c.source, limits: c.limits)
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let out = try t.render(["x": 1, "messages": [["role": "user", "content": "hi"]]])
            Issue.record("\(c.name): rendered \(out.utf8.count) bytes instead of failing")
        } catch let e as TemplateError {
            switch (c.expect, e) {
            case (.limit(let text), .limitExceeded(let m)):
                #expect(m.contains(text), "\(c.name): \(m)")
                #expect(m.hasPrefix("chat template"), "\(c.name): \(m)")
                #expect(e.description == m)
            case (.runtime(let text), .runtime(let m, _)):
                #expect(m.contains(text), "\(c.name): \(m)")
            default:
                Issue.record("\(c.name): unexpected \(e)")
            }
        }
        // Unbounded, these ran for minutes to hours; bounded, each takes well under a second
        // (the margin is for a loaded CI machine running a debug build).
        let elapsed = clock.now - start
        #expect(elapsed < .seconds(5), "\(c.name) took \(elapsed)")
    }

    @Test(arguments: recursion) func recursionIsBounded(_ c: Case) throws { try Self.check(c) }
    @Test(arguments: loops) func loopsAreBounded(_ c: Case) throws { try Self.check(c) }
    /// Each amplification is refused before it builds anything near a gigabyte: the process's peak
    /// RSS grows by far less than the unbounded interpreter used (1.5-2.7 GB); tens of MiB in fact.
    @Test(arguments: memory) func memoryIsBounded(_ c: Case) throws {
        let before = Self.peakRSS()
        try Self.check(c)
        let growth = Self.peakRSS() - before
        #expect(growth < 1 << 30, "\(c.name): peak RSS grew by \(growth >> 20) MiB")
    }

    static func peakRSS() -> Int {
        var usage = rusage()
        #if os(Linux)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Int(usage.ru_maxrss) * 1024
        #else
        getrusage(RUSAGE_SELF, &usage)
        return Int(usage.ru_maxrss)
        #endif
    }
    @Test(arguments: escapes) func attributesCannotReachInternals(_ c: Case) throws { try Self.check(c) }
    @Test(arguments: integers) func integerArithmeticNeverTraps(_ c: Case) throws { try Self.check(c) }

    /// Expensive-looking work that is within the limits renders, and quickly.
    @Test func boundedWorkStillRenders() throws {
        let cases: [(String, String)] = [
            // A long repetitive needle: linear-time search, not quadratic.
            ("{% set a = 'a' * 1000000 %}{% set b = 'a' * 500000 ~ 'b' %}{{ b in a }} {{ a.find(b) }} {{ a.count(b) }}", "False -1 0"),
            ("{% set a = 'ab' * 500000 %}{{ a.replace('ab', 'c')|length }} {{ a.split('b')|length }}", "500000 500001"),
            ("{{ ('x' * 16777216)|length }}", "16777216"),
            ("{{ range(1000000)|length }}", "1000000"),
            ("{{ 'x' * -5 }}|{{ [1] * -5 }}|{{ 'x' * 0 }}", "|[]|"),
            ("{{ [1, 2, 3][1::9223372036854775807] }}{{ 'hello'[::-2] }}{{ 'hello'[-9223372036854775807:] }}", "[2]olhhello"),
            ("{{ 'x'|center(-9223372036854775807 - 1) }}{{ 'abc'|truncate(-9223372036854775807 - 1) }}", "x..."),
            ("{{ [1, 2, 3]|batch(9223372036854775807)|list }}", "[[1, 2, 3]]"),
            ("{{ (-9223372036854775807 - 1) is divisibleby(-1) }}", "True"),
            ("{{ '{-1}|{0}'.format('a') }}", "|a"),
            // Substring operations work on code points, as in Python (checked against jinja2).
            ("{{ 'aaaa'.count('aa') }}|{{ 'aaaa'.replace('a', 'b', 2) }}|{{ 'aaaa'.replace('aa', '') }}|{{ 'a,b,,c'.split(',') }}|{{ ''.find('') }}",
             "2|bbaa||['a', 'b', '', 'c']|0"),
            ("{{ 'hello'[4:0:-2] }}|{{ 'hello'[1:4:2] }}|{{ 'héllo wörld'.replace('ö', 'oe') }}|{{ 'a😀b'.split('😀') }}", "ol|el|héllo woerld|['a', 'b']"),
        ]
        for (src, expected) in cases {
            let clock = ContinuousClock()
            let start = clock.now
            #expect(try ChatTemplate(source: src).render([:]) == expected, "\(src)")
            #expect(clock.now - start < .seconds(5), "\(src)")
        }
    }

    /// Templates nested or chained beyond the parser's depth are syntax errors, not stack overflows.
    @Test func parserDepthIsBounded() {
        let sources = [
            "{{ " + String(repeating: "not ", count: 20_000) + "x }}",
            "{{ 1" + String(repeating: " + 1", count: 20_000) + " }}",
            "{{ 'a'" + String(repeating: " ~ 'a'", count: 20_000) + " }}",
            "{{ x" + String(repeating: "|trim", count: 20_000) + " }}",
            "{{ x" + String(repeating: ".a", count: 20_000) + " }}",
            "{{ x" + String(repeating: "[0]", count: 20_000) + " }}",
            "{{ " + String(repeating: "[", count: 20_000) + String(repeating: "]", count: 20_000) + " }}",
            String(repeating: "{% if true %}", count: 20_000) + String(repeating: "{% endif %}", count: 20_000),
        ]
        for src in sources {
            #expect(throws: TemplateError.self) { try ChatTemplate(source: src) }
        }
    }

    @Test func probeAcceptsTemplatesThatRaiseForSomeConversations() throws {
        let system = """
            {%- for m in messages %}{% if m.role == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}\
            <{{ m.role }}>{{ m.content }}{% endfor %}{% if add_generation_prompt %}<assistant>{% endif %}
            """
        try ChatTemplate(source: system).probe()
        // A template may even refuse the probe conversation itself ("roles must alternate"...).
        try ChatTemplate(source: "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}").probe()
        // Every committed template passes, except the tool-use variant, which iterates `tools`
        // (none in the probe conversation) and fails in Python's jinja2 as well.
        for name in try Fixtures.templateNames() where !name.contains("tool_use") {
            #expect(throws: Never.self, "\(name)") { try ChatTemplate(source: try Fixtures.template(name)).probe() }
        }
    }

    @Test func probeRejectsTemplatesThatCannotRender() throws {
        #expect(throws: TemplateError.limitExceeded("chat template exceeded 1000000 loop iterations")) {
            try ChatTemplate(source: "{% for i in range(100000000) %}{% endfor %}{{ messages[0].content }}").probe()
        }
        let forever = "{% macro f(n) %}{% if n > 0 %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(60) }}"
        var limits = TemplateLimits()
        limits.maxSteps = 100_000
        #expect(throws: TemplateError.limitExceeded("chat template exceeded 100000 steps")) {
            try ChatTemplate(source: forever, limits: limits).probe()
        }
        do {
            try ChatTemplate(source: "{{ nosuchfunction() }}").probe()
            Issue.record("expected a runtime error")
        } catch TemplateError.runtime(let m, _) {
            #expect(m.contains("nosuchfunction"))
        }
    }

    @Test func limitsAreValidated() throws {
        let l = TemplateLimits(maxSteps: 0, maxOutputBytes: -1, maxStringBytes: 0, maxListItems: -5, maxAllocatedBytes: 0,
                               maxLoopIterations: 0, maxMacroDepth: -1, maxDepth: 0, maxValueDepth: 0, maxDuration: .zero).validated
        #expect(l.maxSteps >= 1 && l.maxOutputBytes >= 1 && l.maxStringBytes >= 1 && l.maxListItems >= 1)
        #expect(l.maxAllocatedBytes >= 1 && l.maxLoopIterations >= 1 && l.maxMacroDepth >= 1 && l.maxDepth >= 1)
        #expect(l.maxValueDepth >= 1 && l.maxDuration > .zero)
        let d = TemplateLimits()
        #expect(d.maxSteps == 5_000_000 && d.maxOutputBytes == 16 << 20 && d.maxStringBytes == 16 << 20)
        #expect(d.maxAllocatedBytes == 256 << 20 && d.maxMacroDepth == 64 && d.maxLoopIterations == 1_000_000)
        #expect(d.maxListItems == 1_000_000 && d.maxDuration == .seconds(2) && d.shouldStop == nil)
        // Zero limits are clamped, not a crash: a one-statement template still renders.
        #expect(try ChatTemplate(source: "a", limits: TemplateLimits(maxSteps: 0)).render([:]) == "a")
    }

}
