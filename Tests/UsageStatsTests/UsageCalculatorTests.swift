import Foundation
import Testing
@testable import UsageStats

@Suite struct UsageCalculatorTests {
    static let day0 = UTCDay.day(of: "2026-11-02") ?? 0  // a Monday

    static func event(_ user: String, day: Int, hour: Int = 10, channel: UsageEvent.Channel = .web, model: String = "m",
                      conversation: String? = "c", excluded: UsageEvent.Exclusion? = nil) -> UsageEvent {
        UsageEvent(time: (day0 + day) * 86400 + hour * 3600, user: user, channel: channel, model: model,
                   conversation: channel == .web ? conversation : nil, promptTokens: 10, completionTokens: 5, excluded: excluded)
    }

    @Test func dailyFiguresFollowTheDefinitions() {
        var events: [UsageEvent] = []
        for u in 0..<6 { events.append(Self.event("u\(u)", day: 0, conversation: "c\(u)")) }
        for u in 0..<7 { events.append(Self.event("u\(u)", day: 1, conversation: "d\(u % 3)")) }  // u6 is new on day 1
        events.append(Self.event("u0", day: 1, channel: .api))
        events.append(Self.event("bot", day: 1, channel: .api, excluded: .synthetic))
        events.append(Self.event("x", day: 1, excluded: .noResponse))
        let calc = UsageCalculator(events: events)
        let f = calc.figures(day: Self.day0 + 1)
        #expect(f.day == "2026-11-03")
        #expect(f.dau == .value(7))
        #expect(f.wau == .value(7))
        #expect(f.newUsers == .suppressed, "1 new user: under k")
        #expect(f.returningUsers == .value(6))
        #expect(f.conversations == .value(3 + 1))
        #expect(f.userMessages == .value(8))
        #expect(f.promptTokens == .value(80))
        #expect(f.excluded == ["synthetic": 1, "no_response": 1])
        #expect(f.channels["api"]?.users == .suppressed)
        #expect(f.channels["api"]?.messages == .suppressed, "a group under k hides its other numbers too")
        #expect(f.channels["web"]?.users == .value(7))
        // Synthetic traffic never reaches a headline number.
        #expect(calc.figures(day: Self.day0 + 1).models["m"]?.messages == .value(8))
    }

    @Test func suppressionUnderFive() throws {
        let events = (0..<4).map { Self.event("u\($0)", day: 0) }
        let f = UsageCalculator(events: events).figures(day: Self.day0)
        #expect(f.dau == .suppressed)
        #expect(f.userMessages == .suppressed)
        let json = String(decoding: try CanonicalJSON.encode(f), as: UTF8.self)
        #expect(json.contains(#""dau":"<5""#))
        #expect(try JSONDecoder().decode(DayFigures.self, from: Data(json.utf8)) == f)
    }

    @Test func mauCountsPeopleOverTwentyEightDays() {
        // Five people, each active on a different day within the window: MAU 5, DAU 1 each.
        let events = (0..<5).map { Self.event("p\($0)", day: $0 * 6) }
        let calc = UsageCalculator(events: events)
        #expect(calc.figures(day: Self.day0 + 24).mau == .value(5))
        #expect(calc.figures(day: Self.day0 + 28).mau == .suppressed, "p0 (day 0) left the window")
    }

    @Test func weeklyRetention() {
        var events: [UsageEvent] = []
        for u in 0..<6 { events.append(Self.event("u\(u)", day: 1)) }           // cohort week 0
        for u in 0..<5 { events.append(Self.event("u\(u)", day: 8)) }           // 5 of them back in week 1
        let cohorts = UsageCalculator(events: events).retention(through: Self.day0 + 13)
        #expect(cohorts.count == 1)
        #expect(cohorts[0].week == "2026-11-02")
        #expect(cohorts[0].users == .value(6))
        #expect(cohorts[0].active == [.value(6), .value(5)])
    }

    @Test func pseudonymsAreKeyedAndStable() {
        let a = Pseudonymizer(keyBytes: [UInt8](repeating: 1, count: 32))
        let b = Pseudonymizer(keyBytes: [UInt8](repeating: 2, count: 32))
        #expect(a.pseudonym("web:abc") == a.pseudonym("web:abc"))
        #expect(a.pseudonym("web:abc") != b.pseudonym("web:abc"))
        #expect(a.pseudonym("web:abc").count == 32)
    }
}
