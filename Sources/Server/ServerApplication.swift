import Engine
import Foundation
import Hummingbird
import Models
import OpenAIAPI
import ServiceLifecycle
import Storage

/// How `aqyl serve` runs.
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    public var threads = ProcessInfo.processInfo.activeProcessorCount
    public var context: Int?
    /// Largest accepted request body.
    public var bodyLimit = 4 << 20
    /// Where the server's files live (`--data`): the SQLite database by default, the
    /// usage log and its keys, the web-identity key.
    public var dataDirectory = DataStore.defaultDirectory
    /// Where conversations, feedback, API keys and limits live (`--database`): SQLite in
    /// `--data`, or PostgreSQL shared by replicas (which then share the usage log too).
    public var database: DatabaseLocation = .sqlite(path: nil)
    /// The usage log's signing key on PostgreSQL (`--log-key`); see ``LogSigningKey``.
    public var logKeyFile: String?
    /// Sequences each model decodes at once (`--parallel`).
    public var parallel = 4
    /// Requests that may wait for a free sequence slot before new ones get 503.
    public var queueLimit = 64
    /// The usage log's origin line and signing-key name (fixed for a log's lifetime): nil
    /// keeps the stored one, or names a new log after this host (see `--public-url`).
    public var statsOrigin: String?
    /// Reject requests without a valid API key (`--api-key-required`).
    public var apiKeyRequired = false
    /// Models forwarded to other OpenAI-compatible servers (`--upstream`).
    public var upstreams = UpstreamSettings()
    /// Web identities, anonymous limits, trusted proxies (`--web-chat`, ...).
    public var frontDoor = FrontDoorSettings()
    /// Model ids whose message contents may carry control tokens (`--special-in-content`).
    public var specialTokensInContent: Set<String> = []
    /// How `/v1/embeddings` pools hidden states (`--pooling`); nil: the model file's
    /// `<arch>.pooling_type`, else mean.
    public var embeddingPooling: EmbeddingPooling?
    /// Witnesses that cosign the usage log's checkpoints (`--witness VKEY@URL`).
    public var witnesses: [WitnessSpec] = []
    /// After SIGTERM: how long streams in flight may go on before they are cancelled.
    public var shutdownGrace: Duration = .seconds(5)

    public init() {}
}

/// A model to serve: its public id and the loaded files.
public struct ModelEntry: Sendable {
    public var id: String
    public var model: LoadedModel
    /// LoRA adapters served as their own ids on this base model.
    public var adapters: [(id: String, stack: AdapterStack)]

    public init(id: String, model: LoadedModel, adapters: [(id: String, stack: AdapterStack)] = []) {
        self.id = id
        self.model = model
        self.adapters = adapters
    }
}

/// Builds the HTTP application (in-process tests call this too).
public func buildApplication(
    configuration: ServerConfiguration, models entries: [ModelEntry],
    onServerRunning: @escaping @Sendable (String) async -> Void = { _ in }
) async throws -> some ApplicationProtocol {
    try await makeApplication(configuration: configuration, models: entries, onServerRunning: onServerRunning).app
}

/// Runs `aqyl serve` until SIGTERM/SIGINT: the application, plus the watchdog that
/// bounds how long the shutdown may take (``ShutdownWatchdog``).
public func runServer(
    configuration: ServerConfiguration, models entries: [ModelEntry],
    onServerRunning: @escaping @Sendable (String) async -> Void = { _ in }
) async throws {
    let (app, watchdog) = try await makeApplication(configuration: configuration, models: entries, onServerRunning: onServerRunning)
    // ServiceLifecycle signals services in reverse order: the watchdog, listed last, hears
    // of the shutdown first, before the server starts waiting for its streams.
    let group = ServiceGroup(configuration: .init(
        services: [.init(service: app), .init(service: watchdog)],
        gracefulShutdownSignals: [.sigterm, .sigint], logger: app.logger))
    try await group.run()
}

func makeApplication(
    configuration: ServerConfiguration, models entries: [ModelEntry],
    onServerRunning: @escaping @Sendable (String) async -> Void
) async throws -> (app: Application<FrontDoorResponder>, watchdog: ShutdownWatchdog) {
    let stores = try await ServerStores.open(configuration) { print($0) }
    let usage = stores.usage
    let metrics = ServerMetrics()
    let served = entries.flatMap { entry in
        let base = ServedModel(id: entry.id, model: entry.model, configuration: configuration,
                               observer: metrics.schedulerObserver(model: entry.id))
        return [base] + entry.adapters.map { ServedModel(id: $0.id, adapters: $0.stack, base: base) }
    }
    // One scheduler per base model; adapters share their base's.
    let schedulers = served.filter { $0.parent == nil }.map(\.scheduler)
    let upstreams = UpstreamModels(configuration.upstreams, metrics: metrics)
    let router: Router<AqylRequestContext>
    do {
        router = try buildRouter(configuration: configuration, models: served, stores: stores,
                                 metrics: metrics, upstreams: upstreams)
    } catch {
        // Nothing will run: close what was opened instead of leaving it to the process's end.
        for scheduler in schedulers { scheduler.shutdown() }
        try? await upstreams.shutdown()
        await stores.close()
        throw error
    }
    let url = "http://\(configuration.host):\(configuration.port)"
    var app = Application(
        responder: FrontDoorResponder(router: router),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "aqyl"),
        // Shut down in reverse order, after the HTTP server: the schedulers (their threads and
        // pools end once the last generation has), the resources, then the log's sequencer
        // (a last integration), then the database pool.
        services: stores.services + [ServerResourcesService(upstreams: upstreams, stores: stores),
                                     UpstreamHealthService(upstreams: upstreams)] + schedulers,
        onServerRunning: { _ in await onServerRunning(url) })
    // Members that do not answer at start are out of rotation before the first request.
    app.beforeServerStarts { await upstreams.checkAll(initial: true) }
    let watchdog = ShutdownWatchdog(grace: configuration.shutdownGrace, schedulers: schedulers, usage: usage)
    return (app, watchdog)
}

func buildRouter(configuration: ServerConfiguration, models: [ServedModel], stores: ServerStores,
                 metrics: ServerMetrics, upstreams: UpstreamModels) throws -> Router<AqylRequestContext> {
    let bodyLimit = configuration.bodyLimit
    let door = configuration.frontDoor
    let keys = stores.keys
    let limiter = stores.limits
    let usage = stores.usage
    let network = ClientNetwork(trustedProxies: door.trustedProxies)
    let identities = try stores.webIdentityKey.map(WebIdentity.init(keyBytes:)) ?? WebIdentity.load(directory: configuration.dataDirectory)
    let router = Router(context: AqylRequestContext.self)
    // Middleware applies to routes added after it: keep these first, in this order.
    router.add(middleware: RequestMetricsMiddleware(metrics: metrics))
    // Who is calling: a server-issued browser identity, then a key (which takes precedence).
    router.add(middleware: WebCallerMiddleware(identities: identities, keys: keys, limiter: limiter, access: door.webChat))
    router.add(middleware: APIKeyMiddleware(keys: keys, limiter: limiter, required: configuration.apiKeyRequired))
    // The API's routes: the access check is attached to the group, so it runs for every
    // handler in it however the path was spelled; upstream forwarding only after it.
    let api = router.group()
        .add(middleware: APIAccessMiddleware(required: configuration.apiKeyRequired, limiter: limiter,
                                             webRateLimit: door.webRateLimitPerMinute,
                                             anonymousRateLimit: door.anonymousRateLimitPerMinute, network: network))
        .add(middleware: UpstreamMiddleware(upstreams: upstreams, bodyLimit: bodyLimit, usage: usage, metrics: metrics))
    router.get("/health") { _, _ in
        // Load per model, so a balancer (or a test) can see queues drain; a model whose chat
        // template was refused says so (its completions still work).
        var load: [String: ModelHealth] = [:]
        for m in models where m.parent == nil {
            let l = m.scheduler.load
            load[m.id] = ModelHealth(active: l.active, waiting: l.waiting, slots: m.scheduler.configuration.slots,
                                     chatTemplateError: m.model.chatTemplateError)
        }
        return jsonResponse(HealthStatus(status: "ok", models: load, log: usage.status, upstreams: upstreams.health))
    }
    MetricsController(metrics: metrics, models: models).addRoutes(to: router)
    let byID = Dictionary(models.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    ChatController(models: byID, modelOrder: models.map(\.id), bodyLimit: bodyLimit, usage: usage, upstreams: upstreams)
        .addRoutes(to: api)
    CompletionsController(models: byID, bodyLimit: bodyLimit, usage: usage).addRoutes(to: api)
    EmbeddingsController(models: byID, bodyLimit: bodyLimit, pooling: configuration.embeddingPooling).addRoutes(to: api)
    ResponsesController(models: byID, bodyLimit: bodyLimit, usage: usage).addRoutes(to: api)
    TokenizerController(models: byID, defaultModel: models.first?.id, bodyLimit: bodyLimit).addRoutes(to: api)
    StatsController(recorder: usage, witnesses: WitnessPool(witnesses: configuration.witnesses, log: usage.log)).addRoutes(to: router)
    StatsPageController(recorder: usage, fallbackBaseURL: "http://\(configuration.host):\(configuration.port)").addRoutes(to: router)
    if door.webChat != .off {
        let conversations = stores.conversations
        func identity(required: Bool) -> WebIdentityMiddleware {
            WebIdentityMiddleware(identities: identities, access: door.webChat, limiter: limiter, network: network,
                                  perHour: door.webIdentitiesPerHour, conversations: conversations, identityRequired: required)
        }
        WebChatController(conversations: conversations, bodyLimit: bodyLimit, pageIdentity: identity(required: false),
                          apiIdentity: identity(required: true),
                          session: WebSessionController(identities: identities, keys: keys, bodyLimit: bodyLimit))
            .addRoutes(to: router)
    }
    return router
}

/// `GET /health`.
struct HealthStatus: Encodable {
    var status: String
    var models: [String: ModelHealth]
    var log: LogHealth
    /// Each upstream pool's members: state, in flight, requests, errors, ejections.
    var upstreams: [String: PoolHealth]?
}

/// The usage log as this replica sees it: its size, whether it is the sequencer (shared
/// log only), and events waiting in its local spool for the database.
struct LogHealth: Encodable {
    var size: Int
    var sequencer: Bool?
    var spooled: Int?
}

struct ModelHealth: Encodable {
    var active: Int
    var waiting: Int
    var slots: Int
    var chatTemplateError: String?

    enum CodingKeys: String, CodingKey {
        case active, waiting, slots
        case chatTemplateError = "chat_template_error"
    }
}
