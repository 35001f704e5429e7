import ArgumentParser
import Engine
import Foundation
import Models
import Hummingbird
import Ledger
import ModelStore
import Server
import Storage

/// `aqyl serve`: the OpenAI-compatible API (web chat and the rest of issue 3 follow).
extension WebChatAccess: ExpressibleByArgument {}

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve models over an OpenAI-compatible HTTP API.")

    @Option(name: .shortAndLong, help: "Model short name, hub reference (hf:ORG/REPO[:QUANT]) or GGUF path (repeatable; default: \(ModelCatalog.defaultModel)).")
    var model: [String] = []

    @Option(name: .customLong("lora"), help: ArgumentHelp(
        "LoRA adapter served as its own model id (default id: the file name) on the base model it fits; "
            + "clients pick it with \"model\" (repeatable).", valueName: "[NAME=]PATH[:SCALE]"))
    var adapters: [String] = []

    @Option(help: NumericsOption.help)
    var numerics: NumericsOption = .fast

    @Option(help: "Address to bind.")
    var host: String = "127.0.0.1"

    @Option(help: "Port.")
    var port: Int = 8080

    @Option(name: .shortAndLong, help: "Worker threads per model (default: all cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Context length per model (default: min(training context, 4096)).")
    var ctx: Int?

    @Option(help: "Sequences each model generates at once (continuous batching).")
    var parallel: Int = 4

    @Option(help: "Requests that may wait for a free sequence; past this, 503 with Retry-After.")
    var queue: Int = 64

    @Option(help: "Directory for conversations, feedback, API keys and the usage log (default: $AQYL_DATA or ~/.local/share/aqyl).")
    var data: String?

    @Option(help: ArgumentHelp("Database: sqlite:PATH (default: aqyl.sqlite in --data) or postgres://USER:PASS@HOST:PORT/DB, "
                               + "shared by replicas (default: $AQYL_DATABASE_URL).", valueName: "URL"))
    var database: String?

    @Option(name: .customLong("log-key"), help: ArgumentHelp(
        "With PostgreSQL: the usage log's Ed25519 signing key file, the same on every replica "
        + "(default: $AQYL_LOG_SIGNING_KEY, else ledger/signing.key in --data).", valueName: "FILE"))
    var logKey: String?

    @Flag(help: "Refuse API requests (/v1/*, /tokenize, ...) without a valid key from `aqyl keys create`.")
    var apiKeyRequired = false

    @Option(help: ArgumentHelp("Serve NAME by forwarding to an OpenAI-compatible server; the same NAME again "
                               + "adds a member to its pool (repeatable).", valueName: "NAME=URL[#REMOTE_MODEL][;weight=W]"))
    var upstream: [String] = []

    @Option(help: ArgumentHelp("Bearer key sent to every member of upstream pool NAME (repeatable).", valueName: "NAME=KEY"))
    var upstreamKey: [String] = []

    @Option(help: ArgumentHelp("While every member of pool NAME is down, answer with this local model (repeatable).",
                               valueName: "NAME=LOCAL_MODEL"))
    var fallback: [String] = []

    @Option(help: "Seconds to connect to an upstream member before trying another.")
    var upstreamConnectTimeout: Double = 5

    @Option(help: "Seconds a stream may wait for its first chunk before another member is tried.")
    var upstreamFirstByteTimeout: Double = 60

    @Option(help: "Seconds an upstream stream may stay silent between chunks before it ends with an error event.")
    var upstreamTimeout: Double = 60

    @Option(help: "Seconds a forwarded request may take in all (504 past it).")
    var upstreamTotalTimeout: Double = 600

    @Option(help: "Attempts per forwarded request on different pool members (1: no retries).")
    var upstreamAttempts: Int = 3

    @Option(help: "Connections (requests in flight) this server opens to one upstream member at most; more wait.")
    var upstreamConnections: Int = 512

    @Option(help: "Seconds between health checks of each upstream member.")
    var upstreamHealthInterval: Double = 5

    @Option(help: "Seconds a health check may take.")
    var upstreamHealthTimeout: Double = 2

    @Option(help: "Health check path: relative to the member's URL (models: GET /v1/models), or from its root (/health).")
    var upstreamHealthPath: String = "models"

    @Option(help: "Failures in a row (requests or checks) that take a member out of rotation.")
    var upstreamEjectAfter: Int = 2

    @Option(help: "Healthy checks in a row that bring an ejected member back.")
    var upstreamReadmitAfter: Int = 2

    @Option(help: "Who may use the web chat: open (anyone), key (sign in with an API key once), off (no web chat).")
    var webChat: WebChatAccess = .open

    @Option(help: "New web chat identities one client network (IPv4 /24, IPv6 /64) may get per hour.")
    var webIdentitiesPerHour: Int = 60

    @Option(help: "Requests per minute one web chat identity may send (0: no limit).")
    var webRateLimit: Int = 30

    @Option(help: "Requests per minute per client network without a key or web identity (0: no limit).")
    var anonymousRateLimit: Int = 0

    @Option(help: ArgumentHelp("A reverse proxy whose X-Forwarded-For names the client (repeatable).", valueName: "ADDRESS"))
    var trustedProxy: [String] = []

    @Option(help: ArgumentHelp("Let message contents of this model carry control tokens, for trusted clients "
                               + "that send pre-formatted turns (repeatable).", valueName: "MODEL_ID"))
    var specialInContent: [String] = []

    @Option(help: "How /v1/embeddings pools the final hidden states: mean, last or cls (default: the model file's pooling_type, else mean).")
    var pooling: EmbeddingPooling?

    @Option(help: "Seconds streams in flight may go on after SIGTERM/SIGINT before they are cancelled.")
    var shutdownGrace: Int = 5

    @Option(help: "The URL users reach this service at; names a new usage log (origin HOST/PATH/stats).")
    var publicURL: String?

    @Option(help: ArgumentHelp("A witness that cosigns the usage log's checkpoints (repeatable).", valueName: "VERIFIER_KEY@URL"))
    var witness: [String] = []

    func validate() throws {
        for (name, value, range) in [("--upstream-connect-timeout", upstreamConnectTimeout, 0.05...3600.0),
                                     ("--upstream-first-byte-timeout", upstreamFirstByteTimeout, 0.05...86_400.0),
                                     ("--upstream-timeout", upstreamTimeout, 0.05...86_400.0),
                                     ("--upstream-total-timeout", upstreamTotalTimeout, 0.05...86_400.0),
                                     ("--upstream-health-interval", upstreamHealthInterval, 0.05...3600.0),
                                     ("--upstream-health-timeout", upstreamHealthTimeout, 0.05...3600.0)]
        where !range.contains(value) {
            throw ValidationError("\(name) must be \(range.lowerBound)...\(Int(range.upperBound)) seconds")
        }
        guard (1...10).contains(upstreamAttempts) else { throw ValidationError("--upstream-attempts must be 1...10") }
        guard (1...100_000).contains(upstreamConnections) else { throw ValidationError("--upstream-connections must be 1...100000") }
        guard (1...100).contains(upstreamEjectAfter) else { throw ValidationError("--upstream-eject-after must be 1...100") }
        guard (1...100).contains(upstreamReadmitAfter) else { throw ValidationError("--upstream-readmit-after must be 1...100") }
        guard (1...65535).contains(port) else { throw ValidationError("--port must be 1...65535") }
        guard (1...256).contains(threads) else { throw ValidationError("--threads must be between 1 and 256") }
        if let ctx, ctx < 16 { throw ValidationError("--ctx must be ≥ 16") }
        guard (1...256).contains(parallel) else { throw ValidationError("--parallel must be 1...256") }
        guard queue >= 0 else { throw ValidationError("--queue must be ≥ 0") }
        guard (1...1_000_000).contains(webIdentitiesPerHour) else { throw ValidationError("--web-identities-per-hour must be 1...1000000") }
        guard (0...1_000_000).contains(webRateLimit) else { throw ValidationError("--web-rate-limit must be 0...1000000") }
        guard (0...1_000_000).contains(anonymousRateLimit) else { throw ValidationError("--anonymous-rate-limit must be 0...1000000") }
        guard (0...3600).contains(shutdownGrace) else { throw ValidationError("--shutdown-grace must be 0...3600 seconds") }
        if let ctx, ctx > 1 << 24 { throw ValidationError("--ctx must be ≤ \(1 << 24)") }
        guard queue <= 1_000_000 else { throw ValidationError("--queue must be ≤ 1000000") }
        if let publicURL, TransparencyLog.origin(publicURL: publicURL) == nil {
            throw ValidationError("--public-url must be an http(s) URL with a host, got '\(publicURL)'")
        }
        for address in trustedProxy where ClientNetwork.isAddress(address) == false {
            throw ValidationError("--trusted-proxy \(address) is not an IP address")
        }
    }

    func run() async throws {
        // The database URL first: a typo should not wait for a model to load.
        let location: DatabaseLocation
        do { location = try DatabaseLocation.resolve(database) } catch { throw CLIError(error.description) }
        let upstreams: [UpstreamModelSpec]
        do { upstreams = try UpstreamModelSpec.parse(upstreams: upstream, keys: upstreamKey) } catch { throw CLIError(error.description) }
        // A pure gateway (only --upstream) loads no local model.
        let names = model.isEmpty && upstreams.isEmpty ? [ModelCatalog.defaultModel] : model
        var entries: [ModelEntry] = []
        for name in names {
            let path = try await ModelArgument.path(name)
            let id = ModelArgument.id(name, path: path)
            guard !entries.contains(where: { $0.id == id }) else { throw CLIError("model '\(id)' is given twice") }
            let loaded = try LoadedModel(path: path, kernels: numerics.kernels)
            if let problem = loaded.chatTemplateError {
                // One model: refuse to start (every chat would fail). Several: serve the others, and
                // name the broken template in /health and in each chat answer for this one.
                guard names.count > 1 else { throw CLIError("\(id): the chat template is refused: \(problem)") }
                printErr("warning: \(id): the chat template is refused (chat requests will fail): \(problem)")
            }
            entries.append(ModelEntry(id: id, model: loaded))
            printErr("loaded \(id) from \(path)")
        }
        for text in adapters {
            let served = try ServedAdapterSpec(parsing: text)
            let adapter: LoRAAdapter
            do { adapter = try LoRAAdapter(path: served.spec.path) } catch { throw CLIError("--lora \(text): \(error)") }
            do {
                let i = try AdapterPlacement.place(adapter, id: served.id, scale: served.spec.scale, on: &entries)
                printErr("serving LoRA \(served.id) on \(entries[i].id) (rank \(adapter.rank), scale \(served.spec.scale))")
            } catch {
                throw CLIError(error.description)
            }
        }
        if let clash = upstreams.first(where: { spec in entries.contains { $0.id == spec.id } }) {
            throw CLIError("model '\(clash.id)' is both a local model and an --upstream")
        }
        var config = ServerConfiguration()
        config.apiKeyRequired = apiKeyRequired
        config.upstreams = UpstreamSettings(models: upstreams)
        let localIDs = Set(entries.map(\.id) + entries.flatMap { $0.adapters.map(\.id) })
        for text in fallback {
            guard let equals = text.firstIndex(of: "=") else { throw CLIError("--fallback expects NAME=LOCAL_MODEL, got '\(text)'") }
            let (pool, local) = (String(text[..<equals]), String(text[text.index(after: equals)...]))
            guard upstreams.contains(where: { $0.id == pool }) else { throw CLIError(UpstreamSpecError.fallbackForUnknownUpstream(pool).description) }
            guard localIDs.contains(local) else {
                throw CLIError("--fallback \(text): '\(local)' is not a local model (load it with --model)")
            }
            config.upstreams.fallbacks[pool] = local
        }
        config.upstreams.connectTimeout = .seconds(upstreamConnectTimeout)
        config.upstreams.firstByteTimeout = .seconds(upstreamFirstByteTimeout)
        config.upstreams.idleTimeout = .seconds(upstreamTimeout)
        config.upstreams.totalTimeout = .seconds(upstreamTotalTimeout)
        config.upstreams.maxAttempts = upstreamAttempts
        config.upstreams.connectionsPerMember = upstreamConnections
        config.upstreams.healthInterval = .seconds(upstreamHealthInterval)
        config.upstreams.healthTimeout = .seconds(upstreamHealthTimeout)
        config.upstreams.healthPath = upstreamHealthPath
        config.upstreams.ejectAfter = upstreamEjectAfter
        config.upstreams.readmitAfter = upstreamReadmitAfter
        config.host = host
        config.port = port
        config.threads = threads
        config.context = ctx
        config.parallel = parallel
        config.queueLimit = queue
        config.frontDoor.webChat = webChat
        config.frontDoor.webIdentitiesPerHour = webIdentitiesPerHour
        config.frontDoor.webRateLimitPerMinute = webRateLimit == 0 ? nil : webRateLimit
        config.frontDoor.anonymousRateLimitPerMinute = anonymousRateLimit == 0 ? nil : anonymousRateLimit
        config.frontDoor.trustedProxies = Set(trustedProxy)
        config.shutdownGrace = .seconds(shutdownGrace)
        config.statsOrigin = publicURL.flatMap(TransparencyLog.origin(publicURL:))
        do { config.witnesses = try witness.map { try WitnessSpec(parsing: $0) } } catch { throw CLIError("--witness: \(error)") }
        let known = Set(entries.map(\.id) + entries.flatMap { $0.adapters.map(\.id) })
        if let unknown = specialInContent.first(where: { !known.contains($0) }) {
            throw CLIError("--special-in-content \(unknown): no such local model")
        }
        config.specialTokensInContent = Set(specialInContent)
        config.embeddingPooling = pooling
        if let data { config.dataDirectory = URL(fileURLWithPath: data) }
        config.database = location
        config.logKeyFile = logKey
        let pools = config.upstreams.poolNames.map { name in
            "\(name) (→ " + upstreams.filter { $0.id == name }.map(\.baseURL).joined(separator: ", ") + ")"
        }
        let served = (entries.map(\.id) + pools).joined(separator: ", ")
        do {
            try await runServer(configuration: config, models: entries) { url in
                printStreaming("Aqyl is serving \(served) at \(url)  (OpenAI API: \(url)/v1; database: \(location))\n")
            }
        } catch let error as StorageError {
            throw CLIError(error.description)
        } catch let error as LedgerError {
            throw CLIError("usage log: \(error.description)")
        }
    }
}
