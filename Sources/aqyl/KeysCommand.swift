import ArgumentParser
import Foundation
import Storage

/// `aqyl keys create|list|revoke`: API keys in the server's data directory.
///
/// Works on the same database as running `aqyl serve` processes (the SQLite file in
/// WAL mode, or the replicas' PostgreSQL with `--database`), and servers read keys per
/// request, so a created or revoked key takes effect at once, without a restart.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Create, list and revoke API keys for `aqyl serve`.",
        subcommands: [Create.self, List.self, Revoke.self], defaultSubcommand: List.self)

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a key and print its secret (shown this once only).")

        @Option(help: "A name saying who or what uses the key.")
        var name: String

        @Flag(help: "Mark the key's traffic as synthetic (load tests, monitoring).")
        var synthetic = false

        @Option(name: .customLong("rate-limit"), help: ArgumentHelp("Requests per minute (default: unlimited).", valueName: "PER_MIN"))
        var rateLimit: Int?

        @OptionGroup var options: DatabaseOptions

        func run() async throws {
            let name = name, synthetic = synthetic, rateLimit = rateLimit
            let (record, secret) = try await options.withKeys {
                try await $0.create(name: name, synthetic: synthetic, rateLimitPerMinute: rateLimit, now: Date())
            }
            // The secret alone on stdout, so `KEY=$(aqyl keys create ...)` works; the rest is for the human.
            print(secret)
            printErr("created \(record.id) '\(record.name)'\(record.synthetic ? " (synthetic)" : "")"
                + (record.rateLimitPerMinute.map { ", limit \($0)/min" } ?? "")
                + ". Store the secret now: it is not kept and cannot be shown again.")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (never their secrets).")

        @Flag(help: "Print a JSON array instead of a table.")
        var json = false

        @OptionGroup var options: DatabaseOptions

        func run() async throws {
            let records = try await options.withKeys { try await $0.list() }
            if json {
                let encoder = JSONEncoder()
                encoder.dateEncodingStrategy = .iso8601
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(records), as: UTF8.self))
                return
            }
            guard !records.isEmpty else {
                printErr("no API keys; create one with `aqyl keys create --name NAME`")
                return
            }
            let rows = [["ID", "NAME", "SYNTHETIC", "LIMIT/MIN", "CREATED", "LAST USED", "STATUS"]] + records.map { r in
                [r.id, r.name, r.synthetic ? "yes" : "no", r.rateLimitPerMinute.map(String.init) ?? "-",
                 Self.day(r.createdAt), r.lastUsedAt.map(Self.day) ?? "never",
                 r.revokedAt.map { "revoked \(Self.day($0))" } ?? "active"]
            }
            let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
            for row in rows {
                print(zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                    .trimmingCharacters(in: .whitespaces))
            }
        }

        static func day(_ date: Date) -> String {
            ISO8601DateFormatter.string(from: date, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withInternetDateTime])
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key; requests with it get 401 from then on.")

        @Argument(help: "The key's id (key_...), as `aqyl keys list` shows it.")
        var id: String

        @OptionGroup var options: DatabaseOptions

        func run() async throws {
            let id = id
            let record = try await options.withKeys { try await $0.revoke(id: id, now: Date()) }
            printErr("revoked \(record.id) '\(record.name)'")
        }
    }
}
