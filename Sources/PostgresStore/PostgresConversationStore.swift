import Foundation
import PostgresNIO
import Storage

/// ``ConversationRepository`` on PostgreSQL, with the same behaviour as
/// ``ConversationStore`` (SQLite): owner-scoped, search over case-folded copies (folded
/// in Swift, so Cyrillic matches across case alike in both stores), each write one
/// transaction committed before the call returns.
public struct PostgresConversationStore: ConversationRepository {
    let database: PostgresDatabase
    let now: @Sendable () -> Date

    public init(_ database: PostgresDatabase, now: @escaping @Sendable () -> Date = Date.init) {
        self.database = database
        self.now = now
    }

    public func conversations(owner: String, matching query: String?) async throws(StorageError) -> [Conversation] {
        let needle = query.map(SearchFolding.fold)?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        let rows: [PostgresRow]
        if needle.isEmpty {
            rows = try await database.rows("""
                SELECT * FROM conversations WHERE owner = \(owner) ORDER BY updated_at DESC, created_at DESC, id
                """)
        } else {
            // strpos compares the folded texts exactly, so `%` and `_` in a query are plain characters.
            rows = try await database.rows("""
                SELECT * FROM conversations c
                WHERE c.owner = \(owner) AND (strpos(c.title_folded, \(needle)) > 0 OR EXISTS (
                    SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND strpos(m.content_folded, \(needle)) > 0))
                ORDER BY c.updated_at DESC, c.created_at DESC, c.id
                """)
        }
        return try rows.map { row throws(StorageError) in try Self.conversation(row) }
    }

    public func createConversation(owner: String, _ draft: ConversationDraft) async throws(StorageError) -> Conversation {
        let time = now()
        let c = Conversation(
            id: UUID().uuidString.lowercased(), owner: owner, title: draft.title, model: draft.model,
            systemPrompt: draft.systemPrompt, temperature: draft.temperature, createdAt: time, updatedAt: time)
        _ = try await database.rows(Self.insertion(c))
        return c
    }

    public func conversation(id: String, owner: String) async throws(StorageError) -> Conversation {
        guard let row = try await database.rows("SELECT * FROM conversations WHERE id = \(id) AND owner = \(owner)").first else {
            throw .notFound("conversation \(id)")
        }
        return try Self.conversation(row)
    }

    public func updateConversation(id: String, owner: String, _ changes: ConversationChanges) async throws(StorageError) -> Conversation {
        let time = now()
        return try await database.transaction { connection in
            var c = try await Self.owned(connection, id: id, owner: owner, logger: database.logger)
            if let title = changes.title { c.title = title }
            if let model = changes.model { c.model = model }
            if let prompt = changes.systemPrompt { c.systemPrompt = prompt }
            if let temperature = changes.temperature { c.temperature = temperature }
            c.updatedAt = time
            try await Self.update(connection, c, logger: database.logger)
            return c
        }
    }

    public func deleteConversation(id: String, owner: String) async throws(StorageError) {
        let rows = try await database.rows("DELETE FROM conversations WHERE id = \(id) AND owner = \(owner) RETURNING id")
        guard !rows.isEmpty else { throw .notFound("conversation \(id)") }
    }

    public func messages(conversationID: String, owner: String) async throws(StorageError)
        -> (messages: [ConversationMessage], feedback: [String: MessageFeedback]) {
        _ = try await conversation(id: conversationID, owner: owner)
        let messages = try await database.rows("""
            SELECT * FROM messages WHERE conversation_id = \(conversationID) ORDER BY position
            """).map { row throws(StorageError) in try Self.message(row) }
        let feedback = try await database.rows("""
            SELECT f.* FROM feedback f JOIN messages m ON m.id = f.message_id
            WHERE m.conversation_id = \(conversationID) AND f.owner = \(owner)
            """).map { row throws(StorageError) in try Self.feedback(row) }
        return (messages, Dictionary(feedback.map { ($0.messageID, $0) }, uniquingKeysWith: { first, _ in first }))
    }

    public func appendMessage(conversationID: String, owner: String, role: MessageRole, content: String,
                              model: String?) async throws(StorageError) -> ConversationMessage {
        let time = now()
        let logger = database.logger
        return try await database.transaction { connection in
            // The conversation's row is locked (FOR UPDATE), so two replicas appending to one
            // conversation take turns and never pick the same position.
            var c = try await Self.owned(connection, id: conversationID, owner: owner, logger: logger)
            var position = 0
            for try await next in try await connection.query("""
                SELECT COALESCE(MAX(position) + 1, 0) FROM messages WHERE conversation_id = \(conversationID)
                """, logger: logger).decode(Int.self) { position = next }
            let message = ConversationMessage(
                id: UUID().uuidString.lowercased(), conversationID: conversationID, position: position,
                role: role, content: content, model: model, createdAt: time)
            try await Self.insert(connection, message, logger: logger)
            if c.title.isEmpty, role == .user { c.title = ConversationStore.automaticTitle(content) }
            c.updatedAt = time
            try await Self.update(connection, c, logger: logger)
            return message
        }
    }

    public func truncateMessages(conversationID: String, owner: String, from position: Int) async throws(StorageError) {
        let time = now()
        let logger = database.logger
        try await database.transaction { connection in
            var c = try await Self.owned(connection, id: conversationID, owner: owner, logger: logger)
            try await connection.query("""
                DELETE FROM messages WHERE conversation_id = \(conversationID) AND position >= \(position)
                """, logger: logger)
            c.updatedAt = time
            try await Self.update(connection, c, logger: logger)
        }
    }

    public func rateMessage(id: String, owner: String, rating: Int, comment: String?) async throws(StorageError) -> MessageFeedback {
        guard MessageFeedback.ratings.contains(rating) else { throw .invalid("rating must be 1 or -1") }
        let feedback = MessageFeedback(messageID: id, owner: owner, rating: rating, comment: comment, createdAt: now())
        // One rating per message and owner: a second one replaces the first. The owner check
        // and the write are one statement, so a message of another owner is never rated.
        let rows = try await database.rows("""
            INSERT INTO feedback (message_id, owner, rating, comment, created_at)
            SELECT m.id, \(owner), \(rating), \(comment), \(feedback.createdAt.unixMilliseconds)
            FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.id = \(id) AND c.owner = \(owner)
            ON CONFLICT (message_id, owner) DO UPDATE
                SET rating = excluded.rating, comment = excluded.comment, created_at = excluded.created_at
            RETURNING message_id
            """)
        guard !rows.isEmpty else { throw .notFound("message \(id)") }
        return feedback
    }

    public func removeRating(messageID: String, owner: String) async throws(StorageError) {
        let owned = try await database.rows("""
            SELECT 1 FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.id = \(messageID) AND c.owner = \(owner)
            """)
        guard !owned.isEmpty else { throw .notFound("message \(messageID)") }
        _ = try await database.rows("DELETE FROM feedback WHERE message_id = \(messageID) AND owner = \(owner)")
    }

    // MARK: - Rows

    /// The statement that writes a conversation as it is (new ones, and `aqyl data migrate`).
    static func insertion(_ c: Conversation) -> PostgresQuery {
        """
        INSERT INTO conversations (id, owner, title, title_folded, model, system_prompt, temperature, created_at, updated_at)
        VALUES (\(c.id), \(c.owner), \(c.title), \(SearchFolding.fold(c.title)), \(c.model), \(c.systemPrompt),
                \(c.temperature), \(c.createdAt.unixMilliseconds), \(c.updatedAt.unixMilliseconds))
        """
    }

    static func insert(_ connection: PostgresConnection, _ m: ConversationMessage, logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO messages (id, conversation_id, position, role, content, content_folded, model, created_at)
            VALUES (\(m.id), \(m.conversationID), \(m.position), \(m.role.rawValue), \(m.content), \(SearchFolding.fold(m.content)),
                    \(m.model), \(m.createdAt.unixMilliseconds))
            """, logger: logger)
    }

    static func insert(_ connection: PostgresConnection, _ f: MessageFeedback, logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO feedback (message_id, owner, rating, comment, created_at)
            VALUES (\(f.messageID), \(f.owner), \(f.rating), \(f.comment), \(f.createdAt.unixMilliseconds))
            ON CONFLICT (message_id, owner) DO NOTHING
            """, logger: logger)
    }

    static func update(_ connection: PostgresConnection, _ c: Conversation, logger: Logger) async throws {
        try await connection.query("""
            UPDATE conversations SET title = \(c.title), title_folded = \(SearchFolding.fold(c.title)), model = \(c.model),
                system_prompt = \(c.systemPrompt), temperature = \(c.temperature), updated_at = \(c.updatedAt.unixMilliseconds)
            WHERE id = \(c.id)
            """, logger: logger)
    }

    static func owned(_ connection: PostgresConnection, id: String, owner: String, logger: Logger) async throws -> Conversation {
        for try await row in try await connection.query("""
            SELECT * FROM conversations WHERE id = \(id) AND owner = \(owner) FOR UPDATE
            """, logger: logger) {
            return try conversation(row)
        }
        throw StorageError.notFound("conversation \(id)")
    }

    static func conversation(_ row: PostgresRow) throws(StorageError) -> Conversation {
        do {
            return Conversation(
                id: try row.value("id"), owner: try row.value("owner"), title: try row.value("title"),
                model: try row.value("model"), systemPrompt: try row.value("system_prompt"),
                temperature: try row.value("temperature"),
                createdAt: Date(unixMilliseconds: try row.value("created_at")),
                updatedAt: Date(unixMilliseconds: try row.value("updated_at")))
        } catch {
            throw PostgresDatabase.storageError(error)
        }
    }

    static func message(_ row: PostgresRow) throws(StorageError) -> ConversationMessage {
        do {
            return ConversationMessage(
                id: try row.value("id"), conversationID: try row.value("conversation_id"), position: try row.value("position"),
                role: MessageRole(rawValue: try row.value("role")) ?? .user, content: try row.value("content"),
                model: try row.value("model"), createdAt: Date(unixMilliseconds: try row.value("created_at")))
        } catch {
            throw PostgresDatabase.storageError(error)
        }
    }

    static func feedback(_ row: PostgresRow) throws(StorageError) -> MessageFeedback {
        do {
            return MessageFeedback(
                messageID: try row.value("message_id"), owner: try row.value("owner"), rating: try row.value("rating"),
                comment: try row.value("comment"), createdAt: Date(unixMilliseconds: try row.value("created_at")))
        } catch {
            throw PostgresDatabase.storageError(error)
        }
    }
}
