import Foundation

/// The web chat's durable state, always seen through one owner's eyes: an id that
/// belongs to another owner is reported as ``StorageError/notFound(_:)``, exactly like
/// an id that never existed, so owners cannot probe each other's ids.
///
/// ``ConversationStore`` implements it on SQLite; a PostgreSQL version can follow.
public protocol ConversationRepository: Sendable {
    /// The owner's conversations, most recently updated first; with a query, only those
    /// whose title or any message contains it, ignoring case in every script.
    func conversations(owner: String, matching query: String?) async throws(StorageError) -> [Conversation]
    func createConversation(owner: String, _ draft: ConversationDraft) async throws(StorageError) -> Conversation
    func conversation(id: String, owner: String) async throws(StorageError) -> Conversation
    func updateConversation(id: String, owner: String, _ changes: ConversationChanges) async throws(StorageError) -> Conversation
    func deleteConversation(id: String, owner: String) async throws(StorageError)

    /// Messages in position order, and this owner's feedback keyed by message id.
    func messages(conversationID: String, owner: String) async throws(StorageError)
        -> (messages: [ConversationMessage], feedback: [String: MessageFeedback])
    /// Appends at the next position. The first user message names a conversation whose title is empty.
    func appendMessage(conversationID: String, owner: String, role: MessageRole, content: String,
                       model: String?) async throws(StorageError) -> ConversationMessage
    /// Deletes the messages at `position` and after (regenerate, edit and resend).
    func truncateMessages(conversationID: String, owner: String, from position: Int) async throws(StorageError)

    /// Sets (or replaces) the owner's rating of a message in a conversation they own.
    func rateMessage(id: String, owner: String, rating: Int, comment: String?) async throws(StorageError) -> MessageFeedback
    func removeRating(messageID: String, owner: String) async throws(StorageError)
}

/// The fields a new conversation may start with.
public struct ConversationDraft: Sendable, Equatable {
    public var title: String
    public var model: String?
    public var systemPrompt: String?
    public var temperature: Double?

    public init(title: String = "", model: String? = nil, systemPrompt: String? = nil, temperature: Double? = nil) {
        self.title = title
        self.model = model
        self.systemPrompt = systemPrompt
        self.temperature = temperature
    }
}

/// A partial update: a nil property is left alone; `.some(nil)` clears an optional field.
public struct ConversationChanges: Sendable, Equatable {
    public var title: String?
    public var model: String??
    public var systemPrompt: String??
    public var temperature: Double??

    public init(title: String? = nil, model: String?? = nil, systemPrompt: String?? = nil, temperature: Double?? = nil) {
        self.title = title
        self.model = model
        self.systemPrompt = systemPrompt
        self.temperature = temperature
    }
}
