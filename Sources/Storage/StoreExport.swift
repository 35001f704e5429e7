import Foundation
import GRDB

/// Everything the SQLite store holds, every owner's, as it is stored: what
/// `aqyl data migrate` copies to PostgreSQL.
public struct StoreExport: Sendable {
    public var conversations: [Conversation]
    public var messages: [ConversationMessage]
    public var feedback: [MessageFeedback]
    /// Keys with their stored secret hashes (the secrets themselves were never kept).
    public var keys: [(record: APIKeyRecord, secretSHA256: String)]
}

extension DataStore {
    /// Reads the whole store in one read transaction (a consistent snapshot).
    public func exportAll() throws(StorageError) -> StoreExport {
        do {
            return try database.read { db in
                StoreExport(
                    conversations: try Conversation.fetchAll(db, sql: "SELECT * FROM conversations ORDER BY created_at, id"),
                    messages: try ConversationMessage.fetchAll(db, sql: "SELECT * FROM messages ORDER BY conversation_id, position"),
                    feedback: try MessageFeedback.fetchAll(db, sql: "SELECT * FROM feedback ORDER BY message_id, owner"),
                    keys: try Row.fetchAll(db, sql: "SELECT * FROM api_key ORDER BY created_at, id").map { row in
                        (APIKeyRecord(row: row), row["secret_sha256"])
                    })
            }
        } catch {
            throw .database("\(error)")
        }
    }
}
