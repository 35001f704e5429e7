/// Figures of one UTC day under ``Definitions/version``.
public struct DayFigures: Codable, Sendable, Equatable {
    public var day: String
    public var dau: Cell
    public var wau: Cell
    public var mau: Cell
    public var newUsers: Cell
    public var returningUsers: Cell
    public var conversations: Cell
    public var userMessages: Cell
    public var promptTokens: Cell
    public var completionTokens: Cell
    public var channels: [String: GroupFigures]
    public var models: [String: GroupFigures]
    /// Events kept out of the figures above, by reason (request counts, not users).
    public var excluded: [String: Int]

    enum CodingKeys: String, CodingKey {
        case day, dau, wau, mau, conversations, channels, models, excluded
        case newUsers = "new_users"
        case returningUsers = "returning_users"
        case userMessages = "user_messages"
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
    }
}

/// Users, messages and tokens of one channel or model on one day.
public struct GroupFigures: Codable, Sendable, Equatable {
    public var users: Cell
    public var messages: Cell
    public var tokens: Cell
}

/// A weekly retention cohort: users whose first counted event fell in `week`
/// (its Monday), and how many of them were active `k` weeks later.
public struct RetentionCohort: Codable, Sendable, Equatable {
    public var week: String
    public var users: Cell
    public var active: [Cell]
}

/// Everything `/stats` publishes for a range of days; `aqyl stats verify`
/// recomputes it from the log's entries and compares field by field.
public struct UsageReport: Codable, Sendable, Equatable {
    public var definitions: String
    public var from: String
    public var to: String
    public var days: [DayFigures]
    public var retention: [RetentionCohort]
}

/// Computes figures from events, exactly as the definitions say.
public struct UsageCalculator: Sendable {
    private let events: [UsageEvent]
    /// Events by UTC day, so a day's figures touch only the days they cover.
    private let byDay: [Int: [UsageEvent]]
    /// First counted day of each user.
    private let firstDay: [String: Int]
    /// Counted users of each day, as small integers (for fast window unions).
    private let dayUsers: [Int: Set<Int>]

    public init(events: [UsageEvent]) {
        self.events = events.sorted { $0.time < $1.time }
        var first: [String: Int] = [:]
        var days: [Int: [UsageEvent]] = [:]
        for e in self.events {
            let d = UTCDay.number(e.time)
            days[d, default: []].append(e)
            guard e.excluded == nil else { continue }
            if first[e.user].map({ d < $0 }) ?? true { first[e.user] = d }
        }
        byDay = days
        firstDay = first
        var ids: [String: Int] = [:]
        var users: [Int: Set<Int>] = [:]
        for (d, list) in days {
            var set = Set<Int>()
            for e in list where e.excluded == nil {
                let id = ids[e.user] ?? ids.count
                ids[e.user] = id
                set.insert(id)
            }
            users[d] = set
        }
        dayUsers = users
    }

    /// Distinct counted users over `days`.
    private func activeUsers(_ days: ClosedRange<Int>) -> Int {
        var union = Set<Int>()
        for d in days { if let s = dayUsers[d] { union.formUnion(s) } }
        return union.count
    }

    private func counted(_ days: ClosedRange<Int>) -> [UsageEvent] {
        days.flatMap { (byDay[$0] ?? []).filter { $0.excluded == nil } }
    }

    public func figures(day: Int) -> DayFigures {
        let today = counted(day...day)
        let users = Set(today.map(\.user))
        let newUsers = users.filter { firstDay[$0] == day }.count
        let web = Set(today.filter { $0.channel == .web }.compactMap(\.conversation)).count
        let api = today.filter { $0.channel == .api }.count
        func group(_ list: [UsageEvent]) -> GroupFigures {
            let u = Set(list.map(\.user)).count
            return GroupFigures(users: .users(u), messages: .of(list.count, users: u),
                                tokens: .of(list.reduce(0) { $0 + $1.promptTokens + $1.completionTokens }, users: u))
        }
        var excluded: [String: Int] = [:]
        for e in byDay[day] ?? [] {
            if let reason = e.excluded { excluded[reason.rawValue, default: 0] += 1 }
        }
        return DayFigures(
            day: UTCDay.string(day: day),
            dau: .users(users.count),
            wau: .users(activeUsers((day - 6)...day)),
            mau: .users(activeUsers((day - 27)...day)),
            newUsers: .users(newUsers), returningUsers: .users(users.count - newUsers),
            conversations: .of(web + api, users: users.count),
            userMessages: .of(today.count, users: users.count),
            promptTokens: .of(today.reduce(0) { $0 + $1.promptTokens }, users: users.count),
            completionTokens: .of(today.reduce(0) { $0 + $1.completionTokens }, users: users.count),
            channels: Dictionary(grouping: today, by: { $0.channel.rawValue }).mapValues(group),
            models: Dictionary(grouping: today, by: \.model).mapValues(group),
            excluded: excluded)
    }

    /// Monday (day number) of the ISO week holding `day` (1970-01-01 was a Thursday).
    static func weekStart(_ day: Int) -> Int { day - ((day + 3) % 7 + 7) % 7 }

    public func retention(through lastDay: Int) -> [RetentionCohort] {
        var cohorts: [Int: Set<String>] = [:]
        for (user, d) in firstDay where d <= lastDay { cohorts[Self.weekStart(d), default: []].insert(user) }
        var activeWeeks: [String: Set<Int>] = [:]
        for e in events where e.excluded == nil && UTCDay.number(e.time) <= lastDay {
            activeWeeks[e.user, default: []].insert(Self.weekStart(UTCDay.number(e.time)))
        }
        let lastWeek = Self.weekStart(lastDay)
        return cohorts.keys.sorted().map { week in
            let members = cohorts[week] ?? []
            let active = stride(from: week, through: lastWeek, by: 7).map { w in
                members.filter { activeWeeks[$0]?.contains(w) == true }.count
            }
            return RetentionCohort(week: UTCDay.string(day: week), users: .users(members.count),
                                   active: active.map { Cell.of($0, users: min($0, members.count)) })
        }
    }

    public func report(from: Int, to: Int) -> UsageReport {
        UsageReport(definitions: Definitions.version, from: UTCDay.string(day: from), to: UTCDay.string(day: to),
                    days: from <= to ? (from...to).map(figures(day:)) : [], retention: retention(through: to))
    }
}
