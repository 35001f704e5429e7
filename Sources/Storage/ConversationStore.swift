import Foundation
import GRDB

/// ``ConversationRepository`` on the server's SQLite database.
///
/// Every write is one GRDB write transaction, committed before the call returns, so an
/// acknowledged write survives a crash of the server (SQLite's WAL journal).
public struct ConversationStore: ConversationRepository {
    let database: DatabasePool
    /// The clock, injectable so tests can order conversations deterministically.
    let now: @Sendable () -> Date

    public init(_ store: DataStore, now: @escaping @Sendable () -> Date = Date.init) {
        database = store.database
        self.now = now
    }

    /// Longest automatic title taken from a first message, in characters.
    static let automaticTitleLength = 80

    public func conversations(owner: String, matching query: String?) async throws(StorageError) -> [Conversation] {
        let needle = query.map(SearchFolding.fold)?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return try await read { db in
            if needle.isEmpty {
                return try Conversation.fetchAll(db, sql: """
                    SELECT * FROM conversations WHERE owner = ? ORDER BY updated_at DESC, created_at DESC, id
                    """, arguments: [owner])
            }
            // instr() compares the folded texts exactly, so `%` and `_` in a query are plain characters.
            return try Conversation.fetchAll(db, sql: """
                SELECT * FROM conversations c
                WHERE c.owner = ? AND (instr(c.title_folded, ?) > 0 OR EXISTS (
                    SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND instr(m.content_folded, ?) > 0))
                ORDER BY c.updated_at DESC, c.created_at DESC, c.id
                """, arguments: [owner, needle, needle])
        }
    }

    public func createConversation(owner: String, _ draft: ConversationDraft) async throws(StorageError) -> Conversation {
        let time = now()
        let conversation = Conversation(
            id: UUID().uuidString.lowercased(), owner: owner, title: draft.title, model: draft.model,
            systemPrompt: draft.systemPrompt, temperature: draft.temperature, createdAt: time, updatedAt: time)
        try await write { db in try conversation.insert(db) }
        return conversation
    }

    public func conversation(id: String, owner: String) async throws(StorageError) -> Conversation {
        try await read { db in try Self.owned(db, id: id, owner: owner) }
    }

    public func updateConversation(id: String, owner: String, _ changes: ConversationChanges) async throws(StorageError) -> Conversation {
        let time = now()
        return try await write { db in
            var conversation = try Self.owned(db, id: id, owner: owner)
            if let title = changes.title { conversation.title = title }
            if let model = changes.model { conversation.model = model }
            if let prompt = changes.systemPrompt { conversation.systemPrompt = prompt }
            if let temperature = changes.temperature { conversation.temperature = temperature }
            conversation.updatedAt = time
            try conversation.update(db)
            return conversation
        }
    }

    public func deleteConversation(id: String, owner: String) async throws(StorageError) {
        try await write { db in
            let conversation = try Self.owned(db, id: id, owner: owner)
            try conversation.delete(db)
        }
    }

    public func messages(conversationID: String, owner: String) async throws(StorageError)
        -> (messages: [ConversationMessage], feedback: [String: MessageFeedback]) {
        try await read { db in
            _ = try Self.owned(db, id: conversationID, owner: owner)
            let messages = try ConversationMessage.fetchAll(db, sql: """
                SELECT * FROM messages WHERE conversation_id = ? ORDER BY position
                """, arguments: [conversationID])
            let feedback = try MessageFeedback.fetchAll(db, sql: """
                SELECT f.* FROM feedback f JOIN messages m ON m.id = f.message_id
                WHERE m.conversation_id = ? AND f.owner = ?
                """, arguments: [conversationID, owner])
            return (messages, Dictionary(feedback.map { ($0.messageID, $0) }, uniquingKeysWith: { first, _ in first }))
        }
    }

    public func appendMessage(conversationID: String, owner: String, role: MessageRole, content: String,
                              model: String?) async throws(StorageError) -> ConversationMessage {
        let time = now()
        return try await write { db in
            var conversation = try Self.owned(db, id: conversationID, owner: owner)
            // The writer is serialized, so reading the next position here cannot race.
            let position = try Int.fetchOne(db, sql: """
                SELECT COALESCE(MAX(position) + 1, 0) FROM messages WHERE conversation_id = ?
                """, arguments: [conversationID]) ?? 0
            let message = ConversationMessage(
                id: UUID().uuidString.lowercased(), conversationID: conversationID, position: position,
                role: role, content: content, model: model, createdAt: time)
            try message.insert(db)
            if conversation.title.isEmpty, role == .user {
                conversation.title = Self.automaticTitle(content)
            }
            conversation.updatedAt = time
            try conversation.update(db)
            return message
        }
    }

    public func truncateMessages(conversationID: String, owner: String, from position: Int) async throws(StorageError) {
        let time = now()
        try await write { db in
            var conversation = try Self.owned(db, id: conversationID, owner: owner)
            try db.execute(sql: "DELETE FROM messages WHERE conversation_id = ? AND position >= ?",
                           arguments: [conversationID, position])
            conversation.updatedAt = time
            try conversation.update(db)
        }
    }

    public func rateMessage(id: String, owner: String, rating: Int, comment: String?) async throws(StorageError) -> MessageFeedback {
        guard MessageFeedback.ratings.contains(rating) else { throw .invalid("rating must be 1 or -1") }
        let feedback = MessageFeedback(messageID: id, owner: owner, rating: rating, comment: comment, createdAt: now())
        try await write { db in
            try Self.requireOwnedMessage(db, id: id, owner: owner)
            // One rating per message and owner: a second one replaces the first.
            try feedback.insert(db, onConflict: .replace)
        }
        return feedback
    }

    public func removeRating(messageID: String, owner: String) async throws(StorageError) {
        try await write { db in
            try Self.requireOwnedMessage(db, id: messageID, owner: owner)
            try db.execute(sql: "DELETE FROM feedback WHERE message_id = ? AND owner = ?", arguments: [messageID, owner])
        }
    }

    /// The first line of a message, shortened to a title.
    public static func automaticTitle(_ content: String) -> String {
        let line = content.split(whereSeparator: \.isNewline).first { !$0.allSatisfy(\.isWhitespace) } ?? ""
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard trimmed.count > automaticTitleLength else { return trimmed }
        return String(trimmed.prefix(automaticTitleLength - 1)) + "…"
    }

    // MARK: - Ownership

    static func owned(_ db: Database, id: String, owner: String) throws -> Conversation {
        guard let conversation = try Conversation.fetchOne(db, sql: "SELECT * FROM conversations WHERE id = ? AND owner = ?",
                                                           arguments: [id, owner]) else {
            throw StorageError.notFound("conversation \(id)")
        }
        return conversation
    }

    static func requireOwnedMessage(_ db: Database, id: String, owner: String) throws {
        let found = try Bool.fetchOne(db, sql: """
            SELECT 1 FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.id = ? AND c.owner = ?
            """, arguments: [id, owner]) ?? false
        guard found else { throw StorageError.notFound("message \(id)") }
    }

    // MARK: - Error mapping

    private func read<T: Sendable>(_ body: @Sendable @escaping (Database) throws -> T) async throws(StorageError) -> T {
        do { return try await database.read(body) } catch { throw Self.storageError(error) }
    }

    private func write<T: Sendable>(_ body: @Sendable @escaping (Database) throws -> T) async throws(StorageError) -> T {
        do { return try await database.write(body) } catch { throw Self.storageError(error) }
    }

    static func storageError(_ error: any Error) -> StorageError {
        if let error = error as? StorageError { return error }
        return .database("\(error)")
    }
}
