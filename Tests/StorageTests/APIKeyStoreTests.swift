import Foundation
import GRDB
import Testing
@testable import Storage

@Suite struct APIKeyStoreTests {
    static func store() throws -> (APIKeyStore, DataStore) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-keys-\(UUID().uuidString)")
        let data = try DataStore(directory: dir)
        return (APIKeyStore(data), data)
    }

    @Test func createReturnsTheSecretOnceAndStoresOnlyItsHash() throws {
        let (keys, data) = try Self.store()
        let (record, secret) = try keys.create(name: "ci", synthetic: true, rateLimitPerMinute: 30)
        #expect(secret.hasPrefix("aqyl-") && secret.count == 5 + 64)
        #expect(record.id.hasPrefix("key_") && record.id.count == 12)
        #expect(record.name == "ci" && record.synthetic && record.rateLimitPerMinute == 30)
        #expect(record.revokedAt == nil && record.lastUsedAt == nil)
        // No column anywhere holds the plaintext.
        let dump = try data.database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM api_key").flatMap { row in row.databaseValues.map { "\($0)" } }
        }
        #expect(!dump.contains { $0.contains(secret) || $0.contains(secret.dropFirst(5)) })
        #expect(dump.contains { $0.contains(APIKeyStore.hash(secret)) })
    }

    @Test func authenticateFindsLiveKeysOnly() async throws {
        let (keys, _) = try Self.store()
        let (record, secret) = try keys.create(name: "a")
        let other = try keys.create(name: "b")
        let found = try await keys.authenticate(secret: secret)
        #expect(found?.id == record.id)
        #expect(found?.lastUsedAt != nil)
        #expect(try await keys.authenticate(secret: secret + "x") == nil)
        #expect(try await keys.authenticate(secret: "") == nil)
        try keys.revoke(id: record.id)
        #expect(try await keys.authenticate(secret: secret) == nil)
        #expect(try await keys.authenticate(secret: other.secret)?.id == other.record.id)
    }

    @Test func listShowsEveryKeyWithRevocation() throws {
        let (keys, _) = try Self.store()
        let a = try keys.create(name: "a", now: Date(timeIntervalSince1970: 1_000))
        let b = try keys.create(name: "b", now: Date(timeIntervalSince1970: 2_000))
        let revoked = try keys.revoke(id: a.record.id, now: Date(timeIntervalSince1970: 3_000))
        #expect(revoked.revokedAt == Date(timeIntervalSince1970: 3_000))
        // A second revoke keeps the first time.
        #expect(try keys.revoke(id: a.record.id).revokedAt == Date(timeIntervalSince1970: 3_000))
        let listed = try keys.list()
        #expect(listed.map(\.id) == [a.record.id, b.record.id])
        #expect(listed.map(\.isRevoked) == [true, false])
    }

    @Test func lastUsedIsWrittenAtMostOncePerResolution() async throws {
        let (keys, _) = try Self.store()
        let (_, secret) = try keys.create(name: "a")
        let t0 = Date(timeIntervalSince1970: 10_000)
        #expect(try await keys.authenticate(secret: secret, now: t0)?.lastUsedAt == t0)
        #expect(try await keys.authenticate(secret: secret, now: t0 + 30)?.lastUsedAt == t0)
        #expect(try await keys.authenticate(secret: secret, now: t0 + 61)?.lastUsedAt == t0 + 61)
    }

    @Test func inputErrorsAreTyped() throws {
        let (keys, _) = try Self.store()
        #expect(throws: StorageError.notFound("API key 'key_00000000'")) { try keys.revoke(id: "key_00000000") }
        #expect(throws: StorageError.self) { try keys.create(name: "  ") }
        #expect(throws: StorageError.self) { try keys.create(name: "x", rateLimitPerMinute: 0) }
    }

    @Test func keysSurviveReopening() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-keys-\(UUID().uuidString)")
        let secret = try APIKeyStore(DataStore(directory: dir)).create(name: "persist").secret
        let again = APIKeyStore(try DataStore(directory: dir))
        #expect(try await again.authenticate(secret: secret)?.name == "persist")
    }
}
