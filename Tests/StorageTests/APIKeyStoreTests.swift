import Foundation
import Testing
@testable import Storage

/// API keys, on SQLite and on PostgreSQL alike.
@Suite struct APIKeyStoreTests {
    @Test(arguments: StoreKind.allCases) func createReturnsTheSecretOnceAndStoresOnlyItsHash(_ kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { store in
            let (record, secret) = try await store.keys.create(name: "ci", synthetic: true, rateLimitPerMinute: 30)
            #expect(secret.hasPrefix("aqyl-") && secret.count == 5 + 64)
            #expect(record.id.hasPrefix("key_") && record.id.count == 12)
            #expect(record.name == "ci" && record.synthetic && record.rateLimitPerMinute == 30)
            #expect(record.revokedAt == nil && record.lastUsedAt == nil)
            // No column anywhere holds the plaintext.
            let dump = try await store.keyTable()
            #expect(!dump.isEmpty)
            #expect(!dump.contains { $0.contains(secret) || $0.contains(secret.dropFirst(5)) })
            #expect(dump.contains { $0.contains(APIKeyStore.hash(secret)) })
        }
    }

    @Test(arguments: StoreKind.allCases) func authenticateFindsLiveKeysOnly(_ kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { store in
            let keys = store.keys
            let (record, secret) = try await keys.create(name: "a")
            let other = try await keys.create(name: "b")
            let found = try await keys.authenticate(secret: secret)
            #expect(found?.id == record.id)
            #expect(found?.lastUsedAt != nil)
            #expect(try await keys.authenticate(secret: secret + "x") == nil)
            #expect(try await keys.authenticate(secret: "") == nil)
            try await keys.revoke(id: record.id)
            #expect(try await keys.authenticate(secret: secret) == nil)
            #expect(try await keys.authenticate(secret: other.secret)?.id == other.record.id)
            #expect(try await keys.record(id: record.id)?.isRevoked == true)
            #expect(try await keys.record(id: "key_00000000") == nil)
        }
    }

    @Test(arguments: StoreKind.allCases) func listShowsEveryKeyWithRevocation(_ kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { store in
            let keys = store.keys
            let a = try await keys.create(name: "a", synthetic: false, rateLimitPerMinute: nil, now: Date(timeIntervalSince1970: 1_000))
            let b = try await keys.create(name: "b", synthetic: false, rateLimitPerMinute: nil, now: Date(timeIntervalSince1970: 2_000))
            let revoked = try await keys.revoke(id: a.record.id, now: Date(timeIntervalSince1970: 3_000))
            #expect(revoked.revokedAt == Date(timeIntervalSince1970: 3_000))
            // A second revoke keeps the first time.
            #expect(try await keys.revoke(id: a.record.id).revokedAt == Date(timeIntervalSince1970: 3_000))
            let listed = try await keys.list()
            #expect(listed.map(\.id) == [a.record.id, b.record.id])
            #expect(listed.map(\.isRevoked) == [true, false])
            #expect(listed[1].createdAt == Date(timeIntervalSince1970: 2_000))
        }
    }

    @Test(arguments: StoreKind.allCases) func lastUsedIsWrittenAtMostOncePerResolution(_ kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { store in
            let keys = store.keys
            let (_, secret) = try await keys.create(name: "a")
            let t0 = Date(timeIntervalSince1970: 10_000)
            #expect(try await keys.authenticate(secret: secret, now: t0)?.lastUsedAt == t0)
            #expect(try await keys.authenticate(secret: secret, now: t0 + 30)?.lastUsedAt == t0)
            #expect(try await keys.authenticate(secret: secret, now: t0 + 61)?.lastUsedAt == t0 + 61)
        }
    }

    @Test(arguments: StoreKind.allCases) func inputErrorsAreTyped(_ kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { store in
            let keys = store.keys
            await #expect(throws: StorageError.notFound("API key 'key_00000000'")) { try await keys.revoke(id: "key_00000000") }
            await #expect(throws: StorageError.self) { try await keys.create(name: "  ") }
            await #expect(throws: StorageError.self) { try await keys.create(name: "x", synthetic: false, rateLimitPerMinute: 0) }
        }
    }

    @Test func sqliteKeysSurviveReopening() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-keys-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let secret = try await APIKeyStore(DataStore(directory: dir)).create(name: "persist").secret
        let again = APIKeyStore(try DataStore(directory: dir))
        #expect(try await again.authenticate(secret: secret)?.name == "persist")
    }
}
