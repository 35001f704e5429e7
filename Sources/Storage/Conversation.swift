import Foundation
import GRDB

/// One chat in the web UI, owned by one browser identity.
///
/// `owner` scopes every query: a conversation of another owner behaves as if it did not exist.
public struct Conversation: Sendable, Equatable, Identifiable {
    /// A lowercase UUID.
    public var id: String
    public var owner: String
    public var title: String
    /// The model the chat last used; nil lets the page pick the server's first model.
    public var model: String?
    public var systemPrompt: String?
    /// Sampling temperature for this chat; nil means the API default.
    public var temperature: Double?
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: String, owner: String, title: String, model: String?, systemPrompt: String?,
                temperature: Double?, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.owner = owner
        self.title = title
        self.model = model
        self.systemPrompt = systemPrompt
        self.temperature = temperature
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

// Column names are the database's edge; timestamps are stored as Unix milliseconds so
// that ordering is exact and no date-string format is involved.
extension Conversation: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "conversations"

    public init(row: Row) {
        id = row["id"]
        owner = row["owner"]
        title = row["title"]
        model = row["model"]
        systemPrompt = row["system_prompt"]
        temperature = row["temperature"]
        createdAt = Date(unixMilliseconds: row["created_at"])
        updatedAt = Date(unixMilliseconds: row["updated_at"])
    }

    public func encode(to container: inout PersistenceContainer) {
        container["id"] = id
        container["owner"] = owner
        container["title"] = title
        // A lowercased copy for search: SQLite's LIKE and lower() fold ASCII only, so
        // Cyrillic (Kazakh, Russian) would not match across case.
        container["title_folded"] = SearchFolding.fold(title)
        container["model"] = model
        container["system_prompt"] = systemPrompt
        container["temperature"] = temperature
        container["created_at"] = createdAt.unixMilliseconds
        container["updated_at"] = updatedAt.unixMilliseconds
    }
}

extension Date {
    public init(unixMilliseconds: Int64) {
        self.init(timeIntervalSince1970: Double(unixMilliseconds) / 1000)
    }

    public var unixMilliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }
}
