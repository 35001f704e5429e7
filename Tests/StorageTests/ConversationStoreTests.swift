import Foundation
import GRDB
import Testing
@testable import Storage

/// The conversation repository on a fresh store per test, SQLite and PostgreSQL alike.
@Suite struct ConversationStoreTests {
    @Test(arguments: StoreKind.allCases) func createListAndNewestFirst(_ kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            let store = fixture.conversations
            let first = try await store.createConversation(owner: "a", ConversationDraft(title: "First"))
            let second = try await store.createConversation(owner: "a", ConversationDraft(title: "Second", model: "m",
                                                                                           systemPrompt: "Be brief", temperature: 0.5))
            #expect(try await store.conversations(owner: "a", matching: nil).map(\.id) == [second.id, first.id])
            // Writing to the older one moves it to the top.
            _ = try await store.appendMessage(conversationID: first.id, owner: "a", role: .user, content: "hi", model: nil)
            #expect(try await store.conversations(owner: "a", matching: nil).map(\.id) == [first.id, second.id])
            let loaded = try await store.conversation(id: second.id, owner: "a")
            #expect(loaded.systemPrompt == "Be brief" && loaded.temperature == 0.5 && loaded.model == "m")
        }
    }

    @Test(arguments: StoreKind.allCases) func anotherOwnersConversationIsNotFound(_ kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            let store = fixture.conversations
            let mine = try await store.createConversation(owner: "a", ConversationDraft(title: "Mine"))
            let message = try await store.appendMessage(conversationID: mine.id, owner: "a", role: .user, content: "x", model: nil)
            #expect(try await store.conversations(owner: "b", matching: nil).isEmpty)
            await #expect(throws: StorageError.notFound("conversation \(mine.id)")) { try await store.conversation(id: mine.id, owner: "b") }
            await #expect(throws: StorageError.self) { try await store.messages(conversationID: mine.id, owner: "b") }
            await #expect(throws: StorageError.self) { try await store.updateConversation(id: mine.id, owner: "b", .init(title: "stolen")) }
            await #expect(throws: StorageError.self) { try await store.deleteConversation(id: mine.id, owner: "b") }
            await #expect(throws: StorageError.self) {
                try await store.appendMessage(conversationID: mine.id, owner: "b", role: .user, content: "y", model: nil)
            }
            await #expect(throws: StorageError.self) { try await store.truncateMessages(conversationID: mine.id, owner: "b", from: 0) }
            await #expect(throws: StorageError.self) { try await store.rateMessage(id: message.id, owner: "b", rating: 1, comment: nil) }
            #expect(try await store.conversation(id: mine.id, owner: "a").title == "Mine")
        }
    }

    @Test(arguments: StoreKind.allCases) func searchFoldsCaseInEveryScript(_ kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            let store = fixture.conversations
            let kazakh = try await store.createConversation(owner: "a", ConversationDraft(title: "ҚАЗАҚ тілі"))
            let russian = try await store.createConversation(owner: "a", ConversationDraft(title: "Untitled"))
            _ = try await store.appendMessage(conversationID: russian.id, owner: "a", role: .assistant,
                                              content: "Москва — СТОЛИЦА", model: "m")
            let percent = try await store.createConversation(owner: "a", ConversationDraft(title: "100% done"))
            _ = try await store.createConversation(owner: "b", ConversationDraft(title: "қазақ of b"))

            #expect(try await store.conversations(owner: "a", matching: "қазақ").map(\.id) == [kazakh.id])
            #expect(try await store.conversations(owner: "a", matching: "столица").map(\.id) == [russian.id])
            #expect(try await store.conversations(owner: "a", matching: "  МОСКВА ").map(\.id) == [russian.id])
            // `%` is a plain character, not a wildcard.
            #expect(try await store.conversations(owner: "a", matching: "%").map(\.id) == [percent.id])
            #expect(try await store.conversations(owner: "a", matching: "nothing like it").isEmpty)
            #expect(try await store.conversations(owner: "a", matching: "").count == 3)
        }
    }

    @Test(arguments: StoreKind.allCases) func messagesAppendInOrderAndTruncate(_ kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            let store = fixture.conversations
            let c = try await store.createConversation(owner: "a", ConversationDraft())
            for (i, role) in [MessageRole.system, .user, .assistant, .user, .assistant].enumerated() {
                let m = try await store.appendMessage(conversationID: c.id, owner: "a", role: role, content: "m\(i)", model: nil)
                #expect(m.position == i)
            }
            try await store.truncateMessages(conversationID: c.id, owner: "a", from: 3)
            let left = try await store.messages(conversationID: c.id, owner: "a").messages
            #expect(left.map(\.content) == ["m0", "m1", "m2"])
            let next = try await store.appendMessage(conversationID: c.id, owner: "a", role: .user, content: "again", model: nil)
            #expect(next.position == 3)
        }
    }

    @Test(arguments: StoreKind.allCases) func firstUserMessageNamesAnUntitledConversation(_ kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            let store = fixture.conversations
            let c = try await store.createConversation(owner: "a", ConversationDraft())
            _ = try await store.appendMessage(conversationID: c.id, owner: "a", role: .system, content: "system text", model: nil)
            _ = try await store.appendMessage(conversationID: c.id, owner: "a", role: .user,
                                              content: "\n  Сәлем, әлем!  \nsecond line", model: nil)
            _ = try await store.appendMessage(conversationID: c.id, owner: "a", role: .user, content: "later", model: nil)
            #expect(try await store.conversation(id: c.id, owner: "a").title == "Сәлем, әлем!")
            let long = String(repeating: "ә", count: 200)
            #expect(ConversationStore.automaticTitle(long).count == ConversationStore.automaticTitleLength)
        }
    }

    @Test(arguments: StoreKind.allCases) func updateChangesOnlyWhatIsGiven(_ kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            let store = fixture.conversations
            let c = try await store.createConversation(owner: "a", ConversationDraft(title: "t", model: "m", systemPrompt: "s", temperature: 1))
            let renamed = try await store.updateConversation(id: c.id, owner: "a", ConversationChanges(title: "new"))
            #expect(renamed.title == "new" && renamed.model == "m" && renamed.systemPrompt == "s" && renamed.temperature == 1)
            let cleared = try await store.updateConversation(id: c.id, owner: "a", ConversationChanges(systemPrompt: .some(nil), temperature: .some(nil)))
            #expect(cleared.systemPrompt == nil && cleared.temperature == nil && cleared.title == "new")
            #expect(try await store.conversation(id: c.id, owner: "a") == cleared)
        }
    }

    @Test(arguments: StoreKind.allCases) func feedbackIsOnePerOwnerAndCascades(_ kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            let store = fixture.conversations
            let c = try await store.createConversation(owner: "a", ConversationDraft())
            let m = try await store.appendMessage(conversationID: c.id, owner: "a", role: .assistant, content: "answer", model: "m")
            _ = try await store.rateMessage(id: m.id, owner: "a", rating: 1, comment: nil)
            _ = try await store.rateMessage(id: m.id, owner: "a", rating: -1, comment: "wrong")
            var feedback = try await store.messages(conversationID: c.id, owner: "a").feedback
            #expect(feedback[m.id]?.rating == -1 && feedback[m.id]?.comment == "wrong")
            await #expect(throws: StorageError.invalid("rating must be 1 or -1")) {
                try await store.rateMessage(id: m.id, owner: "a", rating: 2, comment: nil)
            }
            try await store.removeRating(messageID: m.id, owner: "a")
            feedback = try await store.messages(conversationID: c.id, owner: "a").feedback
            #expect(feedback.isEmpty)

            _ = try await store.rateMessage(id: m.id, owner: "a", rating: 1, comment: nil)
            try await store.deleteConversation(id: c.id, owner: "a")
            #expect(try await fixture.messageAndFeedbackRows() == 0)
            await #expect(throws: StorageError.self) { try await store.conversation(id: c.id, owner: "a") }
        }
    }

    /// "Acknowledged means durable": each write transaction commits with an fsync of the
    /// WAL (synchronous=FULL), so a reply the page saw stored survives a power cut too.
    @Test func commitsAreSynchronous() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-conv-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = ConversationStore(try DataStore(directory: dir))
        let (journal, synchronous) = try await store.database.write { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"))
        }
        #expect(journal == "wal")
        #expect(synchronous == 2, "PRAGMA synchronous is \(synchronous ?? -1), not FULL")
    }

    @Test func writesAreVisibleToAFreshConnection() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-conv-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let id: String
        do {
            let store = ConversationStore(try DataStore(directory: dir))
            id = try await store.createConversation(owner: "a", ConversationDraft(title: "kept")).id
        }
        let reopened = ConversationStore(try DataStore(directory: dir))
        #expect(try await reopened.conversation(id: id, owner: "a").title == "kept")
    }
}
