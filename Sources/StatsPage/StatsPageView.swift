import Foundation
import Reports
import UsageStats

/// The stats page's HTML: a pure function of a ``StatsPageModel``.
///
/// No script and no inline style (the page has the chat's Content-Security-Policy): the
/// look is `style.css` (the chat's palette) plus `stats.css`, the charts are inline SVG.
/// Every value that is not a literal here is escaped with ``HTMLText/escape(_:)``.
/// The sections are in `StatsPageView+Figures.swift` and `StatsPageView+Verify.swift`.
public struct StatsPageView {
    let model: StatsPageModel

    public init(model: StatsPageModel) {
        self.model = model
    }

    var text: StatsPageText { model.language.text }

    public var html: String {
        var out = head + top
        out += #"<main class="stats">"#
        out += "<h1>\(e(text.title))</h1>"
        out += #"<p class="lead">\#(e(text.intro))</p>"#
        out += rangeForm
        if !model.report.hasEvents {
            out += #"<p class="empty">\#(e(model.logSize == 0 ? text.emptyLog : text.emptyRange))</p>"#
        } else {
            out += headline + charts + dailyTable
        }
        out += definitions + verification
        return out + "</main>\n</body>\n</html>\n"
    }

    func e(_ text: some StringProtocol) -> String { HTMLText.escape(text) }

    /// `/stats` in `language`, keeping the dates when the reader chose them.
    func link(_ language: StatsLanguage) -> String {
        var query = "lang=\(language.rawValue)"
        if model.explicitRange { query += "&from=\(model.report.from)&to=\(model.report.to)" }
        return e("/stats?" + query)
    }

    private var head: String {
        var out = "<!doctype html>\n"
        out += #"<html lang="\#(model.language.rawValue)">"# + "\n<head>\n"
        out += #"<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">"#
        out += #"<meta name="color-scheme" content="light dark">"#
        out += "<title>\(e(text.title))</title>"
        out += #"<link rel="icon" href="/assets/icon.svg" type="image/svg+xml">"#
        out += #"<link rel="stylesheet" href="/assets/style.css"><link rel="stylesheet" href="/assets/stats.css">"#
        for language in StatsLanguage.allCases where language != model.language {
            out += #"<link rel="alternate" hreflang="\#(language.rawValue)" href="\#(link(language))">"#
        }
        return out + "\n</head>\n<body class=\"stats-page\">\n"
    }

    /// The brand (back to the chat) and the language switcher.
    private var top: String {
        var out = #"<header class="stats-top"><a class="brand" href="/">Aqyl</a>"#
        out += #"<a class="back-link" href="/">\#(e(text.backToChat))</a>"#
        out += #"<nav class="languages" aria-label="\#(e(text.languageLabel))">"#
        for language in StatsLanguage.allCases {
            let current = language == model.language ? #" aria-current="page""# : ""
            out += #"<a href="\#(link(language))" lang="\#(language.rawValue)" hreflang="\#(language.rawValue)"\#(current)>\#(e(language.nativeName))</a>"#
        }
        return out + "</nav></header>\n"
    }

    /// The range in words and a plain GET form to change it (works without script).
    private var rangeForm: String {
        let report = model.report
        var out = #"<p class="range muted">\#(e(text.fill(text.rangeSummary, ["from": report.from, "to": report.to])))"#
        out += " · " + e(text.fill(text.definitionsVersion, ["version": report.definitions])) + "</p>"
        if model.rangeRejected { out += #"<p class="notice" role="alert">\#(e(text.badRange))</p>"# }
        out += #"<form class="range-form" method="get" action="/stats">"#
        out += #"<input type="hidden" name="lang" value="\#(model.language.rawValue)">"#
        out += #"<label>\#(e(text.rangeFrom)) <input type="date" name="from" value="\#(e(report.from))" required></label>"#
        out += #"<label>\#(e(text.rangeTo)) <input type="date" name="to" value="\#(e(report.to))" required></label>"#
        return out + #"<button type="submit" class="primary">\#(e(text.rangeApply))</button></form>"# + "\n"
    }
}
