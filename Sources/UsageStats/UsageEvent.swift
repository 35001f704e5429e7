import Foundation

/// One counted (or deliberately not counted) model response, as it is
/// appended to the public log: pseudonymous and minimal. No IP, no user
/// agent, no text; the pseudonyms are keyed hashes (see ``Pseudonymizer``).
public struct UsageEvent: Codable, Sendable, Equatable {
    public enum Channel: String, Codable, Sendable { case web, api }

    /// Why an event is kept out of the headline figures (published next to them).
    public enum Exclusion: String, Codable, Sendable, CaseIterable {
        /// From an API key flagged synthetic (load tests, monitoring).
        case synthetic
        /// The request got no model response (error, cancelled before any token).
        case noResponse = "no_response"
        /// Web-chat endpoint used without the page's script (a no-JS client).
        case noScript = "no_script"
        /// More requests per minute from one identity than a person sends.
        case inhumanRate = "inhuman_rate"
        /// Neither an API key nor a browser identity: no user to count.
        case anonymous
    }

    public var kind = "event"
    /// Schema version of this record.
    public var v = 1
    /// Unix seconds (UTC).
    public var time: Int
    /// Pseudonym of the user (hex); empty for anonymous traffic.
    public var user: String
    public var channel: Channel
    public var model: String
    /// Pseudonym of the web conversation; nil for API requests (each counts as its own conversation).
    public var conversation: String?
    public var promptTokens: Int
    public var completionTokens: Int
    public var excluded: Exclusion?

    public init(time: Int, user: String, channel: Channel, model: String, conversation: String?,
                promptTokens: Int, completionTokens: Int, excluded: Exclusion? = nil) {
        self.time = time
        self.user = user
        self.channel = channel
        self.model = model
        self.conversation = conversation
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.excluded = excluded
    }

    enum CodingKeys: String, CodingKey {
        case kind, v, time, user, channel, model, conversation, excluded
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
    }

    /// The UTC day, `YYYY-MM-DD`.
    public var day: String { UTCDay.string(time) }

    /// Accepted values when an event is read back: 1970 up to the end of year 9999, and
    /// token counts far above any real request but small enough that sums cannot overflow.
    public static let timeRange = 0...253_402_300_799
    public static let tokenRange = 0...(1 << 40)
}

/// UTC calendar days as strings and day numbers.
public enum UTCDay {
    public static func number(_ time: Int) -> Int { Int((Double(time) / 86400).rounded(.down)) }

    public static func string(_ time: Int) -> String { string(day: number(time)) }

    public static func string(day: Int) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        let date = Date(timeIntervalSince1970: TimeInterval(day) * 86400)
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year ?? 1970, c.month ?? 1, c.day ?? 1)
    }

    /// The day number of a strict `YYYY-MM-DD` (years 0001–9999) that names a real
    /// date; nil for anything else (`2026-13-45` and `2025-02-30` are not dates, and
    /// are never rolled over into other ones).
    public static func day(of string: String) -> Int? {
        let utf8 = Array(string.utf8)
        guard utf8.count == 10, utf8[4] == UInt8(ascii: "-"), utf8[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for c in utf8[range] {
                guard (0x30...0x39).contains(c) else { return nil }
                value = value * 10 + Int(c - 0x30)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              year >= 1, (1...12).contains(month) else { return nil }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard (1...lengths[month - 1]).contains(day) else { return nil }
        return daysFromCivil(year: year, month: month, day: day)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }
}

/// Canonical bytes for log entries: sorted keys, no whitespace, so anyone
/// re-encoding an entry gets the same leaf hash.
public enum CanonicalJSON {
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }
}
