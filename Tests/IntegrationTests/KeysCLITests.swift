import Foundation
import Testing

/// `aqyl keys` through the real binary: the secret is printed once, never listed, and
/// errors are one `aqyl: error:` line.
@Suite(.serialized) struct KeysCLITests {
    static func keys(_ args: [String], data: String) throws -> CLIBadInputTests.Run {
        try CLIBadInputTests.run(["keys"] + args + ["--data", data])
    }

    @Test func createListRevoke() throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-keys-cli-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: data) }
        let created = try Self.keys(["create", "--name", "ci bot", "--synthetic", "--rate-limit", "30"], data: data)
        #expect(created.status == 0, "\(created.stderr)")
        let secret = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(secret.hasPrefix("aqyl-") && !secret.contains("\n"))
        let id = try #require(created.stderr.firstMatch(of: /key_[0-9a-f]{8}/)).output
        for list in [try Self.keys(["list"], data: data), try Self.keys(["list", "--json"], data: data)] {
            #expect(list.status == 0)
            #expect(list.stdout.contains(id) && list.stdout.contains("ci bot"))
            #expect(!list.stdout.contains(secret.dropFirst(5)) && !list.stderr.contains(secret.dropFirst(5)))
        }
        let json = try #require(try JSONSerialization.jsonObject(with: Data(try Self.keys(["list", "--json"], data: data).stdout.utf8)) as? [[String: Any]])
        #expect(json.first?["rate_limit_per_minute"] as? Int == 30 && json.first?["synthetic"] as? Bool == true)
        #expect(json.first?["revoked_at"] is NSNull)
        #expect(try Self.keys(["revoke", String(id)], data: data).status == 0)
        #expect(try Self.keys(["list"], data: data).stdout.contains("revoked"))
    }

    @Test(arguments: [
        (["revoke", "key_00000000"], "not found"),
        (["create", "--name", " "], "name"),
        (["create", "--name", "x", "--rate-limit", "0"], "rate limit"),
    ])
    func badInputIsOneErrorLine(args: [String], mentions: String) throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-keys-cli-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: data) }
        CLIBadInputTests.expectCleanFailure(try Self.keys(args, data: data), mentions: mentions)
    }
}
