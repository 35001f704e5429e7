import Foundation
import GRDB

/// A thumbs up (+1) or down (-1) on a message, at most one per message and owner.
public struct MessageFeedback: Sendable, Equatable {
    public var messageID: String
    public var owner: String
    /// +1 or -1.
    public var rating: Int
    public var comment: String?
    public var createdAt: Date

    public init(messageID: String, owner: String, rating: Int, comment: String?, createdAt: Date) {
        self.messageID = messageID
        self.owner = owner
        self.rating = rating
        self.comment = comment
        self.createdAt = createdAt
    }

    /// The two values `rating` may take.
    public static let ratings: Set<Int> = [1, -1]
}

extension MessageFeedback: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "feedback"

    public init(row: Row) {
        messageID = row["message_id"]
        owner = row["owner"]
        rating = row["rating"]
        comment = row["comment"]
        createdAt = Date(unixMilliseconds: row["created_at"])
    }

    public func encode(to container: inout PersistenceContainer) {
        container["message_id"] = messageID
        container["owner"] = owner
        container["rating"] = rating
        container["comment"] = comment
        container["created_at"] = createdAt.unixMilliseconds
    }
}
