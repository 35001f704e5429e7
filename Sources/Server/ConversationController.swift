import Foundation
import Hummingbird
import OpenAIAPI
import Storage

/// The web chat's store under `/api`, scoped to the caller's browser identity (set by
/// ``WebIdentityMiddleware``). Another browser's ids answer 404, like unknown ones.
///
/// Routes (JSON, snake_case, errors as OpenAI error objects):
/// - `GET /api/conversations?q=` — the list, newest first, optionally searched
/// - `POST /api/conversations` — create (`title`, `model`, `system_prompt`, `temperature`, all optional)
/// - `GET|PATCH|DELETE /api/conversations/{id}` — read with messages, rename or change settings, delete
/// - `POST /api/conversations/{id}/messages` — append `{role, content, model?}`
/// - `DELETE /api/conversations/{id}/messages?from=N` — drop messages at position N and after
/// - `POST|DELETE /api/messages/{id}/feedback` — rate `{rating: 1|-1, comment?}` or withdraw the rating
struct ConversationController: Sendable {
    let conversations: any ConversationRepository
    let bodyLimit: Int

    static let maxTitleLength = 200
    static let maxModelLength = 256
    static let maxCommentLength = 4000
    static let temperatureRange = 0.0...2.0

    func addRoutes(to group: RouterGroup<AqylRequestContext>) {
        group.get("conversations", use: handle { try await list($0, $1) })
        group.post("conversations", use: handle { try await create($0, $1) })
        group.get("conversations/{id}", use: handle { try await show($0, $1) })
        group.patch("conversations/{id}", use: handle { try await update($0, $1) })
        group.delete("conversations/{id}", use: handle { try await delete($0, $1) })
        group.post("conversations/{id}/messages", use: handle { try await appendMessage($0, $1) })
        group.delete("conversations/{id}/messages", use: handle { try await truncate($0, $1) })
        group.post("messages/{id}/feedback", use: handle { try await rate($0, $1) })
        group.delete("messages/{id}/feedback", use: handle { try await unrate($0, $1) })
    }

    // MARK: - Handlers

    func list(_ request: Request, _ context: AqylRequestContext) async throws -> Response {
        let query = request.uri.queryParameters.get("q").map { String($0) }
        let found = try await conversations.conversations(owner: context.caller.id, matching: query)
        return jsonResponse(ListWire(data: found.map { ConversationSummaryWire($0) }))
    }

    func create(_ request: Request, _ context: AqylRequestContext) async throws -> Response {
        let body = try await decode(NewConversationBody.self, request, emptyMeans: "{}")
        let draft = ConversationDraft(
            title: try Self.title(body.title ?? ""), model: try Self.model(body.model),
            systemPrompt: Self.nonEmpty(body.systemPrompt), temperature: try Self.temperature(body.temperature))
        let conversation = try await conversations.createConversation(owner: context.caller.id, draft)
        return jsonResponse(ConversationWire(conversation: conversation, messages: []), status: .created)
    }

    func show(_ request: Request, _ context: AqylRequestContext) async throws -> Response {
        let id = try Self.id(context, "conversation")
        let conversation = try await conversations.conversation(id: id, owner: context.caller.id)
        let (messages, feedback) = try await conversations.messages(conversationID: id, owner: context.caller.id)
        let wire = messages.map { MessageWire(message: $0, feedback: feedback[$0.id]) }
        return jsonResponse(ConversationWire(conversation: conversation, messages: wire))
    }

    func update(_ request: Request, _ context: AqylRequestContext) async throws -> Response {
        let id = try Self.id(context, "conversation")
        var changes = try await decode(ConversationPatchBody.self, request).changes
        if let title = changes.title { changes.title = try Self.title(title) }
        if let model = changes.model { changes.model = .some(try Self.model(model)) }
        if let prompt = changes.systemPrompt { changes.systemPrompt = .some(Self.nonEmpty(prompt)) }
        if let temperature = changes.temperature { changes.temperature = .some(try Self.temperature(temperature)) }
        let conversation = try await conversations.updateConversation(id: id, owner: context.caller.id, changes)
        return jsonResponse(ConversationWire(conversation: conversation, messages: nil))
    }

    func delete(_ request: Request, _ context: AqylRequestContext) async throws -> Response {
        let id = try Self.id(context, "conversation")
        try await conversations.deleteConversation(id: id, owner: context.caller.id)
        return Response(status: .noContent)
    }

    func appendMessage(_ request: Request, _ context: AqylRequestContext) async throws -> Response {
        let id = try Self.id(context, "conversation")
        let body = try await decode(NewMessageBody.self, request)
        guard let role = MessageRole(rawValue: body.role) else {
            throw APIError.invalidValue("role", "Invalid value for 'role': '\(body.role)'. Supported values are: 'system', 'user', 'assistant'.")
        }
        let message = try await conversations.appendMessage(
            conversationID: id, owner: context.caller.id, role: role, content: body.content, model: try Self.model(body.model))
        return jsonResponse(MessageWire(message: message, feedback: nil), status: .created)
    }

    func truncate(_ request: Request, _ context: AqylRequestContext) async throws -> Response {
        let id = try Self.id(context, "conversation")
        guard let raw = request.uri.queryParameters.get("from"), let from = Int(raw), from >= 0 else {
            throw APIError.invalidValue("from", "Query parameter 'from' must be a message position (an integer >= 0).")
        }
        try await conversations.truncateMessages(conversationID: id, owner: context.caller.id, from: from)
        return Response(status: .noContent)
    }

    func rate(_ request: Request, _ context: AqylRequestContext) async throws -> Response {
        let id = try Self.id(context, "message")
        let body = try await decode(FeedbackBody.self, request)
        guard MessageFeedback.ratings.contains(body.rating) else {
            throw APIError.invalidValue("rating", "Invalid value for 'rating': \(body.rating). Use 1 (good) or -1 (bad).")
        }
        if let comment = body.comment, comment.count > Self.maxCommentLength {
            throw APIError.invalidValue("comment", "The comment is longer than \(Self.maxCommentLength) characters.")
        }
        let feedback = try await conversations.rateMessage(
            id: id, owner: context.caller.id, rating: body.rating, comment: Self.nonEmpty(body.comment))
        return jsonResponse(FeedbackWire(feedback: feedback))
    }

    func unrate(_ request: Request, _ context: AqylRequestContext) async throws -> Response {
        let id = try Self.id(context, "message")
        try await conversations.removeRating(messageID: id, owner: context.caller.id)
        return Response(status: .noContent)
    }

    // MARK: - Input

    /// The `{id}` path parameter as a lowercase UUID; anything else names nothing (404).
    static func id(_ context: AqylRequestContext, _ kind: String) throws -> String {
        let raw = context.parameters.get("id") ?? ""
        guard let uuid = UUID(uuidString: raw) else { throw APIError.notFound("\(kind) \(raw)") }
        return uuid.uuidString.lowercased()
    }

    /// The JSON body, within the server's size limit.
    func decode<T: Decodable>(_ type: T.Type, _ request: Request, emptyMeans empty: String? = nil) async throws -> T {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: bodyLimit)
        } catch {
            throw APIError.requestTooLarge(limitBytes: bodyLimit)
        }
        if buffer.readableBytes == 0, let empty { return try WireJSON.decode(T.self, from: Data(empty.utf8)) }
        return try WireJSON.decode(T.self, from: Data(buffer: buffer))
    }

    static func title(_ raw: String) throws -> String {
        let title = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard title.count <= maxTitleLength else {
            throw APIError.invalidValue("title", "The title is longer than \(maxTitleLength) characters.")
        }
        return title
    }

    static func model(_ raw: String?) throws -> String? {
        guard let model = nonEmpty(raw) else { return nil }
        guard model.count <= maxModelLength else {
            throw APIError.invalidValue("model", "The model name is longer than \(maxModelLength) characters.")
        }
        return model
    }

    static func temperature(_ value: Double?) throws -> Double? {
        guard let value else { return nil }
        guard temperatureRange.contains(value) else {
            throw APIError.invalidValue("temperature", "Invalid 'temperature': \(value). Expected a value between 0 and 2.")
        }
        return value
    }

    static func nonEmpty(_ text: String?) -> String? {
        guard let text, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return nil }
        return text
    }

    // MARK: - Errors

    /// Runs a handler, answering every failure with an OpenAI error object.
    private func handle(_ body: @escaping @Sendable (Request, AqylRequestContext) async throws -> Response)
        -> @Sendable (Request, AqylRequestContext) async throws -> Response {
        { request, context in
            do {
                return try await body(request, context)
            } catch let error as APIError {
                return errorResponse(error)
            } catch let error as StorageError {
                switch error {
                case .notFound, .invalid: break // the caller's mistake, answered in the response
                case .database, .cannotCreateDirectory, .unavailable: context.logger.error("conversation store: \(error)")
                }
                return errorResponse(Self.apiError(error))
            } catch {
                context.logger.error("conversation api: \(error)")
                return errorResponse(.internal())
            }
        }
    }

    static func apiError(_ error: StorageError) -> APIError {
        switch error {
        case let .notFound(what): return .notFound(what)
        case let .invalid(message): return .invalidRequest(message)
        case .unavailable: return .storage(error)
        case .database, .cannotCreateDirectory: return .internal("The server could not read or write its data store.")
        }
    }
}
