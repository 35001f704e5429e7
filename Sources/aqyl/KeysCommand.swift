import ArgumentParser
import Foundation
import Storage

/// `aqyl keys create|list|revoke`: API keys in the server's data directory.
///
/// Works on the same SQLite file as a running `aqyl serve` (WAL mode allows it),
/// and the server reads keys per request, so a created or revoked key takes
/// effect at once, without a restart.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Create, list and revoke API keys for `aqyl serve`.",
        subcommands: [Create.self, List.self, Revoke.self], defaultSubcommand: List.self)

    /// `--data`, with the same default as `aqyl serve`.
    struct DataOption: ParsableArguments {
        @Option(help: "Data directory of the server (default: $AQYL_DATA or ~/.local/share/aqyl).")
        var data: String?

        func keyStore() throws -> APIKeyStore {
            do {
                return APIKeyStore(try DataStore(directory: data.map { URL(fileURLWithPath: $0) } ?? DataStore.defaultDirectory))
            } catch {
                throw CLIError(error.description)
            }
        }
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a key and print its secret (shown this once only).")

        @Option(help: "A name saying who or what uses the key.")
        var name: String

        @Flag(help: "Mark the key's traffic as synthetic (load tests, monitoring).")
        var synthetic = false

        @Option(name: .customLong("rate-limit"), help: ArgumentHelp("Requests per minute (default: unlimited).", valueName: "PER_MIN"))
        var rateLimit: Int?

        @OptionGroup var options: DataOption

        func run() throws {
            let (record, secret) = try storage { try options.keyStore().create(name: name, synthetic: synthetic, rateLimitPerMinute: rateLimit) }
            // The secret alone on stdout, so `KEY=$(aqyl keys create ...)` works; the rest is for the human.
            print(secret)
            printErr("created \(record.id) '\(record.name)'\(record.synthetic ? " (synthetic)" : "")"
                + (record.rateLimitPerMinute.map { ", limit \($0)/min" } ?? "")
                + ". Store the secret now: it is not kept and cannot be shown again.")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (never their secrets).")

        @Flag(help: "Print a JSON array instead of a table.")
        var json = false

        @OptionGroup var options: DataOption

        func run() throws {
            let records = try storage { try options.keyStore().list() }
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

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key; requests with it get 401 from then on.")

        @Argument(help: "The key's id (key_...), as `aqyl keys list` shows it.")
        var id: String

        @OptionGroup var options: DataOption

        func run() throws {
            let record = try storage { try options.keyStore().revoke(id: id) }
            printErr("revoked \(record.id) '\(record.name)'")
        }
    }
}

/// Runs a store operation, reporting its typed errors as one CLI error line.
private func storage<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as StorageError { throw CLIError(error.description) }
}
