import ArgumentParser
import Crypto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Hummingbird
import Ledger

/// `aqyl stats witness`: an independent witness of one Aqyl usage log (a university, a
/// journalist, a ministry). It serves C2SP tlog-witness `POST /add-checkpoint`: the log
/// sends each new checkpoint with a consistency proof, and the witness cosigns
/// (tlog-cosignature/v1) only what provably extends the history it already cosigned.
/// A split view — a second, different history — is refused, and said so on stderr.
struct StatsWitnessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "witness", abstract: "Witness a usage log: cosign its checkpoints, refuse a split view.")

    @Option(help: "The log's base URL (its verifier key is read from /stats/key unless --log-key pins it).")
    var log: String

    @Option(help: "The log's verifier key, pinned (name+id+key).")
    var logKey: String?

    @Option(help: "This witness's Ed25519 private key file (32 bytes; created, mode 0600, when missing).")
    var key: String

    @Option(help: "File with the latest checkpoint this witness cosigned.")
    var state: String

    @Option(help: "This witness's name in its cosignatures (default: witness/<host name>).")
    var name: String?

    @Option(help: "Address to bind.")
    var host: String = "127.0.0.1"

    @Option(help: "Port.")
    var port: Int = 7380

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be 1...65535") }
        if let name, name.isEmpty || name.contains(where: { $0 == "+" || $0.isWhitespace }) {
            throw ValidationError("--name must be non-empty, without '+' or spaces")
        }
    }

    func run() async throws {
        let logKey: String
        if let pinned = self.logKey { logKey = pinned } else { logKey = try await Self.fetchKey(log) }
        let signer = CosignatureSigner(name: name ?? Self.defaultName(), key: try Self.loadKey(key))
        let witness: Witness
        do { witness = try Witness(signer: signer, logKey: logKey, statePath: state) } catch { throw CLIError("\(error)") }
        let router = Router()
        router.post("/add-checkpoint") { request, _ in
            let body = String(buffer: try await request.body.collect(upTo: 64 << 10))
            do {
                let line = try witness.addCheckpoint(body)
                return Self.text(line, status: .ok)
            } catch let error as Witness.Refusal {
                if case .inconsistent = error { printErr("witness: \(error.description)") }
                if case let .sizeMismatch(size) = error { return Self.text("\(size)\n", status: .conflict, type: "text/x.tlog.size") }
                return Self.text(error.description + "\n", status: HTTPResponse.Status(code: error.status))
            } catch {
                return Self.text("\(error)\n", status: .internalServerError)
            }
        }
        printErr("witnessing \(witness.log.name) (cosigned up to size \(witness.size)); this witness's verifier key:")
        printStreaming(signer.verifierKey + "\n")
        let app = Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "aqyl-witness"))
        try await app.runService()
    }

    static func text(_ body: String, status: HTTPResponse.Status, type: String = "text/plain; charset=utf-8") -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    static func fetchKey(_ base: String) async throws -> String {
        let trimmed = base.hasSuffix("/") ? String(base.dropLast()) : base
        guard let url = URL(string: trimmed + "/stats/key") else { throw CLIError("--log \(base) is not a URL") }
        let (data, response) = try await URLSession.shared.data(from: url)
        guard (response as? HTTPURLResponse)?.statusCode == 200 else { throw CLIError("cannot read the log's key at \(url)") }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func loadKey(_ path: String) throws -> Curve25519.Signing.PrivateKey {
        do { return try TransparencyLog.loadOrCreateKey(URL(fileURLWithPath: path)) } catch { throw CLIError("\(error)") }
    }

    static func defaultName() -> String {
        let host = ProcessInfo.processInfo.hostName.lowercased().filter { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" }
        return "witness/" + (host.isEmpty ? "localhost" : host)
    }
}
