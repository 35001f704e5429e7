import Foundation
import Hummingbird
import Testing
import UsageStats
@testable import Server
@testable import StatsPage
import Reports

/// The stats page's HTML as a pure function of its model: escaping, suppression,
/// languages and the empty state, without a server.
@Suite struct StatsPageViewTests {
    static let hostile = "<script>alert(1)</script>"
    static let day = UTCDay.day(of: "2025-03-10")!

    /// `users` distinct users each sending one message to `model` on `day`, plus `anonymous` excluded requests.
    static func events(users: Int, model: String = "tiny", day: Int = day, anonymous: Int = 0) -> [UsageEvent] {
        (0..<users).map { u in
            UsageEvent(time: day * 86400 + 3600 + u, user: "user\(u)", channel: .web, model: model,
                       conversation: "c\(u)", promptTokens: 10, completionTokens: 4)
        } + (0..<anonymous).map { a in
            UsageEvent(time: day * 86400 + 7200 + a, user: "", channel: .api, model: model, conversation: nil,
                       promptTokens: 3, completionTokens: 1, excluded: .anonymous)
        }
    }

    static func html(_ events: [UsageEvent], language: StatsLanguage = .kk, logSize: Int? = nil,
                     rangeRejected: Bool = false) -> String {
        let report = UsageCalculator(events: events).report(from: day - 29, to: day)
        let model = StatsPageModel(language: language, report: report, logSize: logSize ?? events.count,
                                   checkpoint: "aqyl/stats\n\(events.count)\nROOT=\n\n— aqyl/stats SIG\n",
                                   verifierKey: "aqyl/stats+01234567+KEY=", baseURL: "https://aqyl.example",
                                   today: "2025-03-10", explicitRange: false, rangeRejected: rangeRejected)
        return StatsPageView(model: model).html
    }

    @Test func hostileModelNamesAreEscaped() {
        let html = Self.html(Self.events(users: 6, model: Self.hostile))
        #expect(!html.contains("<script"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains(#"<svg class="chart""#))
    }

    @Test func thePageHasNoScriptAndNoInlineStyle() {
        let html = Self.html(Self.events(users: 6, anonymous: 2))
        #expect(!html.contains("<script"))
        #expect(!html.contains("style="))
        #expect(!html.contains("<style"))
        #expect(html.range(of: #"\son[a-z]+\s*="#, options: .regularExpression) == nil, "inline event handler")
        #expect(html.hasPrefix("<!doctype html>\n<html lang=\"kk\">"))
        #expect(html.contains(#"href="/assets/stats.css""#))
        #expect(html.contains(#"<a class="brand" href="/">Aqyl</a>"#), "a link back to the chat")
    }

    @Test func countedFiguresAndExclusionsShow() {
        let html = Self.html(Self.events(users: 6, anonymous: 2), language: .en)
        #expect(html.contains("<dt>Daily active (DAU)</dt><dd>6</dd>"))
        #expect(html.contains("<dt>Messages</dt><dd>6</dd>"))
        #expect(html.contains("<dt>Tokens</dt><dd>84</dd>"))
        #expect(html.contains(">Anonymous</text>"))
        #expect(html.contains("Definitions version: \(Definitions.version)"))
    }

    @Test func smallGroupsShowAsLessThanFive() {
        let html = Self.html(Self.events(users: 2), language: .en)
        #expect(html.contains("<dt>Daily active (DAU)</dt><dd>&lt;5</dd>"))
        #expect(html.contains("<dt>Messages</dt><dd>&lt;5</dd>"))
        #expect(html.contains(StatsPageText.english.suppressedNote))
        // The suppressed day is a hatched band, not a dot at zero.
        #expect(html.contains(#"<rect class="suppressed""#))
    }

    @Test(arguments: StatsLanguage.allCases)
    func everyLanguageHasItsTextsAndDefinitions(language: StatsLanguage) throws {
        let html = Self.html(Self.events(users: 6), language: language)
        #expect(html.contains("<html lang=\"\(language.rawValue)\">"))
        #expect(html.contains("<h1>\(HTMLText.escape(language.text.title))</h1>"))
        let texts = try #require(Definitions.texts[language.rawValue])
        for (_, definition) in texts { #expect(html.contains(HTMLText.escape(definition))) }
        for other in StatsLanguage.allCases {
            #expect(html.contains(#"href="/stats?lang=\#(other.rawValue)""#))
        }
        #expect(html.contains(#"aria-current="page">\#(language.nativeName)"#))
    }

    @Test func theVerifySectionHasTheKeyCheckpointAndCommands() {
        let html = Self.html(Self.events(users: 6))
        #expect(html.contains("aqyl stats verify --url &#39;https://aqyl.example&#39; --trust &#39;aqyl/stats+01234567+KEY=&#39;"))
        #expect(html.contains(#"<pre class="checkpoint">aqyl/stats"#))
        #expect(html.contains("— aqyl/stats SIG"))
        #expect(html.contains("curl &#39;https://aqyl.example/stats/figures?size=6&amp;from=2025-02-09&amp;to=2025-03-10&#39;"))
    }

    @Test func anEmptyLogShowsAMessageAndStillTheVerification() {
        let html = Self.html([], language: .ru, logSize: 0)
        #expect(html.contains(StatsPageText.russian.emptyLog))
        #expect(!html.contains("<svg"))
        #expect(html.contains(#"<pre class="checkpoint">"#))
        #expect(html.contains("aqyl/stats+01234567+KEY="))
        #expect(html.contains(StatsPageText.russian.definitionsTitle))
    }

    @Test func aRejectedRangeSaysSo() {
        let html = Self.html(Self.events(users: 6), language: .en, rangeRejected: true)
        #expect(html.contains(HTMLText.escape(StatsPageText.english.badRange)))
    }

    @Test(arguments: [
        (nil, nil, StatsLanguage.kk), ("ru", nil, .ru), ("EN", "ru", .en), ("xx", nil, .kk),
        (nil, "ru-RU,ru;q=0.9,en;q=0.8", .ru), (nil, "de-DE, en;q=0.5, ru;q=0.7", .ru), (nil, "fr, de", .kk),
        (nil, "kk, ru", .kk), (nil, "ru;q=0, en", .en), (nil, "en-GB", .en),
    ] as [(String?, String?, StatsLanguage)])
    func languageNegotiation(query: String?, header: String?, expected: StatsLanguage) {
        #expect(StatsLanguage.negotiate(query: query, acceptLanguage: header) == expected)
    }

    @Test func datesAreStrict() {
        let today = Self.day
        #expect(StatsDateRange.parse(from: nil, to: nil, today: today) == .recent(endingOn: today))
        #expect(StatsDateRange.parse(from: "", to: "", today: today) == .recent(endingOn: today))
        #expect(StatsDateRange.parse(from: "2025-03-01", to: "2025-03-05", today: today)?.days == 5)
        let january31 = UTCDay.day(of: "2025-01-31")!
        #expect(StatsDateRange.parse(from: nil, to: "2025-01-31", today: today) == StatsDateRange(first: january31 - 29, last: january31))
        for (from, to) in [("2025-02-30", nil), ("2025-3-1", nil), ("2025-03-05", "2025-03-01"), ("x", nil),
                           ("2023-01-01", "2025-01-01"), (nil, "2025-13-01"), ("<script>", nil)] as [(String?, String?)] {
            #expect(StatsDateRange.parse(from: from, to: to, today: today) == nil, "\(String(describing: from))…\(String(describing: to))")
        }
    }

    @Test func theBaseURLComesFromAPlainHost() {
        func url(_ authority: String?, proto: String? = nil) -> String? {
            var head = HTTPRequest(method: .get, scheme: "http", authority: authority, path: "/stats")
            if let proto { head.headerFields[StatsPageController.forwardedProto] = proto }
            return StatsPageController.baseURL(of: Request(head: head, body: .init(buffer: ByteBuffer())))
        }
        #expect(url("aqyl.example:8080") == "http://aqyl.example:8080")
        #expect(url("aqyl.example", proto: "https") == "https://aqyl.example")
        #expect(url("[::1]:8093") == "http://[::1]:8093")
        #expect(url(nil) == nil)
        #expect(url(#"evil"><script>"#) == nil)
        #expect(url("a b") == nil)
    }
}
