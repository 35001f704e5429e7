import Foundation
import Storage

// The /api wire format: snake_case keys, times as Unix seconds, absent values as null.
// Storage types stay free of JSON; these convert at the edge.

/// A conversation in the list (`GET /api/conversations`).
struct ConversationSummaryWire: Encodable {
    let id: String
    let title: String
    let model: String?
    let updatedAt: Int

    init(_ conversation: Conversation) {
        id = conversation.id
        title = conversation.title
        model = conversation.model
        updatedAt = Int(conversation.updatedAt.timeIntervalSince1970)
    }

    enum CodingKeys: String, CodingKey { case id, title, model, updatedAt = "updated_at" }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(title, forKey: .title)
        try c.encode(model, forKey: .model)
        try c.encode(updatedAt, forKey: .updatedAt)
    }
}

/// `{"data": [...]}`, the shape of every list.
struct ListWire<Item: Encodable>: Encodable {
    let data: [Item]
}

/// A whole conversation; `messages` only where the route returns them.
struct ConversationWire: Encodable {
    let conversation: Conversation
    let messages: [MessageWire]?

    enum CodingKeys: String, CodingKey {
        case id, title, model, systemPrompt = "system_prompt", temperature
        case createdAt = "created_at", updatedAt = "updated_at", messages
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(conversation.id, forKey: .id)
        try c.encode(conversation.title, forKey: .title)
        try c.encode(conversation.model, forKey: .model)
        try c.encode(conversation.systemPrompt, forKey: .systemPrompt)
        try c.encode(conversation.temperature, forKey: .temperature)
        try c.encode(Int(conversation.createdAt.timeIntervalSince1970), forKey: .createdAt)
        try c.encode(Int(conversation.updatedAt.timeIntervalSince1970), forKey: .updatedAt)
        try c.encodeIfPresent(messages, forKey: .messages)
    }
}

/// A stored message, with the caller's own rating of it (or null).
struct MessageWire: Encodable {
    let message: ConversationMessage
    let feedback: MessageFeedback?

    enum CodingKeys: String, CodingKey {
        case id, conversationID = "conversation_id", position, role, content, model, createdAt = "created_at", feedback
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(message.id, forKey: .id)
        try c.encode(message.conversationID, forKey: .conversationID)
        try c.encode(message.position, forKey: .position)
        try c.encode(message.role.rawValue, forKey: .role)
        try c.encode(message.content, forKey: .content)
        try c.encode(message.model, forKey: .model)
        try c.encode(Int(message.createdAt.timeIntervalSince1970), forKey: .createdAt)
        try c.encode(feedback.map(FeedbackWire.init), forKey: .feedback)
    }
}

/// A rating as returned by `POST /api/messages/{id}/feedback` and inside messages.
struct FeedbackWire: Encodable {
    let feedback: MessageFeedback

    enum CodingKeys: String, CodingKey { case messageID = "message_id", rating, comment, createdAt = "created_at" }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(feedback.messageID, forKey: .messageID)
        try c.encode(feedback.rating, forKey: .rating)
        try c.encode(feedback.comment, forKey: .comment)
        try c.encode(Int(feedback.createdAt.timeIntervalSince1970), forKey: .createdAt)
    }
}

// MARK: - Request bodies

/// `POST /api/conversations`: every field optional.
struct NewConversationBody: Decodable {
    var title: String?
    var model: String?
    var systemPrompt: String?
    var temperature: Double?

    enum CodingKeys: String, CodingKey { case title, model, systemPrompt = "system_prompt", temperature }
}

/// `PATCH /api/conversations/{id}`: an absent key leaves the field alone; null clears
/// `model`, `system_prompt` or `temperature`.
struct ConversationPatchBody: Decodable {
    var changes = ConversationChanges()

    enum CodingKeys: String, CodingKey { case title, model, systemPrompt = "system_prompt", temperature }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        changes.title = try c.decodeIfPresent(String.self, forKey: .title)
        if c.contains(.model) { changes.model = .some(try c.decodeIfPresent(String.self, forKey: .model)) }
        if c.contains(.systemPrompt) { changes.systemPrompt = .some(try c.decodeIfPresent(String.self, forKey: .systemPrompt)) }
        if c.contains(.temperature) { changes.temperature = .some(try c.decodeIfPresent(Double.self, forKey: .temperature)) }
    }
}

/// `POST /api/conversations/{id}/messages`.
struct NewMessageBody: Decodable {
    var role: String
    var content: String
    var model: String?
}

/// `POST /api/messages/{id}/feedback`.
struct FeedbackBody: Decodable {
    var rating: Int
    var comment: String?
}
