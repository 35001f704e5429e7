import Foundation
import Reports
import UsageStats

/// Everything the stats page shows, gathered by the server's stats page controller so that
/// ``StatsPageView`` is a pure function of it (and testable without a server).
public struct StatsPageModel: Sendable {
    var language: StatsLanguage
    var report: UsageReport
    /// The log size the figures and the checkpoint are computed at.
    var logSize: Int
    /// The signed checkpoint note, or `nil` when it could not be read.
    var checkpoint: String?
    var verifierKey: String
    /// This server as the reader reached it, e.g. `https://aqyl.kz`, for the commands.
    var baseURL: String
    /// Today (UTC), `YYYY-MM-DD`: the headline says when its day is still running.
    var today: String
    /// The query named the dates (kept in the language links); `false` for the default range.
    var explicitRange: Bool
    /// The query's dates were invalid and the default range is shown instead.
    var rangeRejected: Bool

    public init(language: StatsLanguage, report: UsageReport, logSize: Int, checkpoint: String?, verifierKey: String,
                baseURL: String, today: String, explicitRange: Bool, rangeRejected: Bool) {
        self.language = language
        self.report = report
        self.logSize = logSize
        self.checkpoint = checkpoint
        self.verifierKey = verifierKey
        self.baseURL = baseURL
        self.today = today
        self.explicitRange = explicitRange
        self.rangeRejected = rangeRejected
    }
}
