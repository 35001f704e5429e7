import Foundation
import Reports
import UsageStats

/// Every string the stats page shows, in one language.
///
/// A struct rather than a key table so that a string missing from one language is a
/// compile error, not a blank on the page. The definitions themselves come from
/// ``Definitions/texts`` (they are versioned with the figures); only their headings are
/// here. Templates mark their slots `{name}`; see ``fill(_:_:)``.
struct StatsPageText: Sendable {
    var title: String
    var intro: String
    var backToChat: String
    var languageLabel: String
    /// `{from}`, `{to}`.
    var rangeSummary: String
    var rangeFrom: String
    var rangeTo: String
    var rangeApply: String
    var badRange: String
    var emptyLog: String
    var emptyRange: String
    /// `{day}`.
    var headline: String
    var todayNote: String
    var dau: String
    var wau: String
    var mau: String
    var messages: String
    var tokens: String
    var conversations: String
    var newUsers: String
    var returningUsers: String
    /// `{version}`.
    var definitionsVersion: String
    var usersChart: String
    var messagesChart: String
    var tokensChart: String
    var promptTokens: String
    var completionTokens: String
    var modelsChart: String
    var channelsChart: String
    var channelWeb: String
    var channelAPI: String
    var retentionChart: String
    var retentionNote: String
    var excludedChart: String
    var excludedNone: String
    var reasonSynthetic: String
    var reasonNoResponse: String
    var reasonNoScript: String
    var reasonInhumanRate: String
    var reasonAnonymous: String
    var suppressedNote: String
    var atLeastNote: String
    var dataTable: String
    var day: String
    var definitionsTitle: String
    /// Headings of the ``Definitions/texts`` keys; a key missing here shows as itself.
    var definitionHeadings: [String: String]
    var verifyTitle: String
    /// `{size}`.
    var verifyIntro: String
    var checkpointTitle: String
    var checkpointUnavailable: String
    var keyTitle: String
    var keyHint: String
    var commandTitle: String
    var commandHint: String
    var stateHint: String
    var curlTitle: String
    var curlHint: String
    /// Between groups of three digits: a no-break space in Kazakh and Russian, a comma in English.
    var groupingSeparator: String

    func reason(_ reason: UsageEvent.Exclusion) -> String {
        switch reason {
        case .synthetic: return reasonSynthetic
        case .noResponse: return reasonNoResponse
        case .noScript: return reasonNoScript
        case .inhumanRate: return reasonInhumanRate
        case .anonymous: return reasonAnonymous
        }
    }

    func channel(_ wireName: String) -> String {
        switch wireName {
        case UsageEvent.Channel.web.rawValue: return channelWeb
        case UsageEvent.Channel.api.rawValue: return channelAPI
        default: return wireName
        }
    }

    /// `template` with each `{name}` replaced by its value (values are not escaped here).
    func fill(_ template: String, _ values: [String: String]) -> String {
        values.reduce(template) { $0.replacingOccurrences(of: "{\($1.key)}", with: $1.value) }
    }

    /// 1234567 → "1 234 567" or "1,234,567".
    func format(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, digit) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += groupingSeparator }
            out.append(digit)
        }
        return n < 0 ? "-" + out : out
    }

    /// A published number, or "<5".
    func format(_ cell: Cell) -> String {
        if case let .value(n) = cell { return format(n) }
        return cell.description
    }
}
