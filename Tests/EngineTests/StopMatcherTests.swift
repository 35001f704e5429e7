import Testing
@testable import Engine

@Suite struct StopMatcherTests {
    @Test func holdsBackPossiblePrefixes() {
        var m = StopMatcher(["</end>"])
        #expect(m.feed("Hello <").emit == "Hello ")
        #expect(m.feed("/e").emit == "")
        let r = m.feed("nd> tail")
        #expect(r.emit == "" && r.stopped)
    }

    @Test func releasesFalseAlarms() {
        var m = StopMatcher(["STOP"])
        #expect(m.feed("ST").emit == "")
        #expect(m.feed("ay").emit == "STay")
        #expect(m.finish() == "")
    }

    @Test func earliestStopWins() {
        var m = StopMatcher(["b", "a"])
        let r = m.feed("xxab")
        #expect(r.emit == "xx" && r.stopped)
    }

    @Test func multibyteText() {
        var m = StopMatcher(["Қош"])
        #expect(m.feed("Сәлем Қо").emit == "Сәлем ")
        #expect(m.feed("ш!").stopped)
    }

    @Test func noStopsPassThrough() {
        var m = StopMatcher([])
        #expect(m.feed("abc") == ("abc", false))
    }
}
