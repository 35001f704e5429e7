import Foundation
import GRDB

/// Who wrote a message; the same three roles as the chat completions API.
public enum MessageRole: String, Sendable, CaseIterable {
    case system, user, assistant
}

/// One message of a conversation, at a 0-based `position`.
public struct ConversationMessage: Sendable, Equatable, Identifiable {
    /// A lowercase UUID.
    public var id: String
    public var conversationID: String
    public var position: Int
    public var role: MessageRole
    public var content: String
    /// The model that wrote an assistant message.
    public var model: String?
    public var createdAt: Date

    public init(id: String, conversationID: String, position: Int, role: MessageRole, content: String,
                model: String?, createdAt: Date) {
        self.id = id
        self.conversationID = conversationID
        self.position = position
        self.role = role
        self.content = content
        self.model = model
        self.createdAt = createdAt
    }
}

extension ConversationMessage: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "messages"

    public init(row: Row) {
        id = row["id"]
        conversationID = row["conversation_id"]
        position = row["position"]
        // The schema's CHECK constraint admits only the three roles.
        role = MessageRole(rawValue: row["role"]) ?? .user
        content = row["content"]
        model = row["model"]
        createdAt = Date(unixMilliseconds: row["created_at"])
    }

    public func encode(to container: inout PersistenceContainer) {
        container["id"] = id
        container["conversation_id"] = conversationID
        container["position"] = position
        container["role"] = role.rawValue
        container["content"] = content
        container["content_folded"] = SearchFolding.fold(content)
        container["model"] = model
        container["created_at"] = createdAt.unixMilliseconds
    }
}
