import GRDB

/// The tables behind the web chat: conversations, their messages, and feedback on messages.
///
/// Deleting a conversation cascades to its messages and their feedback (GRDB turns
/// SQLite's foreign keys on for every connection).
enum ConversationSchema {
    /// Registered once, in order, by ``DataStore/migrator``.
    static let migrationName = "v2-conversations"

    static func create(_ db: Database) throws {
        try db.create(table: "conversations") { t in
            t.primaryKey("id", .text)
            t.column("owner", .text).notNull()
            t.column("title", .text).notNull()
            t.column("title_folded", .text).notNull()
            t.column("model", .text)
            t.column("system_prompt", .text)
            t.column("temperature", .double)
            t.column("created_at", .integer).notNull()
            t.column("updated_at", .integer).notNull()
        }
        try db.create(index: "conversations_owner_updated", on: "conversations", columns: ["owner", "updated_at"])

        try db.create(table: "messages") { t in
            t.primaryKey("id", .text)
            t.column("conversation_id", .text).notNull()
                .references("conversations", onDelete: .cascade)
            t.column("position", .integer).notNull()
            t.column("role", .text).notNull().check(sql: "role IN ('system', 'user', 'assistant')")
            t.column("content", .text).notNull()
            t.column("content_folded", .text).notNull()
            t.column("model", .text)
            t.column("created_at", .integer).notNull()
            t.uniqueKey(["conversation_id", "position"])
        }

        try db.create(table: "feedback") { t in
            t.column("message_id", .text).notNull().references("messages", onDelete: .cascade)
            t.column("owner", .text).notNull()
            t.column("rating", .integer).notNull().check(sql: "rating IN (-1, 1)")
            t.column("comment", .text)
            t.column("created_at", .integer).notNull()
            t.primaryKey(["message_id", "owner"])
        }
    }
}
