import Engine
import Foundation
import Hummingbird
import Models
import OpenAIAPI
import Storage

/// How `aqyl serve` runs.
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    public var threads = ProcessInfo.processInfo.activeProcessorCount
    public var context: Int?
    /// Largest accepted request body.
    public var bodyLimit = 4 << 20
    /// Where conversations, feedback and API keys live (`--data`).
    public var dataDirectory = DataStore.defaultDirectory
    /// Sequences each model decodes at once (`--parallel`).
    public var parallel = 4
    /// Requests that may wait for a free sequence slot before new ones get 503.
    public var queueLimit = 64
    /// The usage log's origin line and signing-key name (fixed for a log's lifetime).
    public var statsOrigin = "aqyl/stats"
    /// Reject requests without a valid API key (`--api-key-required`).
    public var apiKeyRequired = false
    /// Models forwarded to other OpenAI-compatible servers (`--upstream`).
    public var upstreams = UpstreamSettings()

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
) throws -> some ApplicationProtocol {
    let store = try DataStore(directory: configuration.dataDirectory)
    let usage = try UsageRecorder(directory: configuration.dataDirectory.appendingPathComponent("ledger"),
                                  origin: configuration.statsOrigin) { print($0) }
    let metrics = ServerMetrics()
    let served = entries.flatMap { entry in
        let base = ServedModel(id: entry.id, model: entry.model, configuration: configuration,
                               observer: metrics.schedulerObserver(model: entry.id))
        return [base] + entry.adapters.map { ServedModel(id: $0.id, adapters: $0.stack, base: base) }
    }
    let upstreams = UpstreamModels(configuration.upstreams)
    let router = buildRouter(configuration: configuration, models: served, store: store, usage: usage,
                             metrics: metrics, upstreams: upstreams)
    let url = "http://\(configuration.host):\(configuration.port)"
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "aqyl"),
        services: [ServerResourcesService(upstreams: upstreams, store: store)],
        onServerRunning: { _ in await onServerRunning(url) })
}

func buildRouter(configuration: ServerConfiguration, models: [ServedModel], store: DataStore,
                 usage: UsageRecorder, metrics: ServerMetrics, upstreams: UpstreamModels) -> Router<AqylRequestContext> {
    let bodyLimit = configuration.bodyLimit
    let router = Router(context: AqylRequestContext.self)
    // Middleware applies to routes added after it: keep these first, in this order.
    router.add(middleware: RequestMetricsMiddleware(metrics: metrics))
    // The browser identity first, so the key check can let the web chat's own calls through.
    router.add(middleware: WebCallerMiddleware())
    router.add(middleware: APIKeyMiddleware(keys: APIKeyStore(store), limiter: RateLimiter(), required: configuration.apiKeyRequired))
    router.add(middleware: UpstreamMiddleware(upstreams: upstreams, bodyLimit: bodyLimit))
    router.get("/health") { _, _ in
        // Load per model, so a balancer (or a test) can see queues drain.
        var load: [String: [String: Int]] = [:]
        for m in models where m.parent == nil {
            let l = m.scheduler.load
            load[m.id] = ["active": l.active, "waiting": l.waiting, "slots": m.scheduler.configuration.slots]
        }
        return jsonResponse(HealthStatus(status: "ok", models: load))
    }
    MetricsController(metrics: metrics).addRoutes(to: router)
    let byID = Dictionary(models.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    ChatController(models: byID, modelOrder: models.map(\.id), bodyLimit: bodyLimit, usage: usage, upstreams: upstreams)
        .addRoutes(to: router)
    CompletionsController(models: byID, bodyLimit: bodyLimit, usage: usage).addRoutes(to: router)
    TokenizerController(models: byID, defaultModel: models.first?.id, bodyLimit: bodyLimit).addRoutes(to: router)
    StatsController(recorder: usage).addRoutes(to: router)
    StatsPageController(recorder: usage, fallbackBaseURL: "http://\(configuration.host):\(configuration.port)").addRoutes(to: router)
    WebChatController(conversations: ConversationStore(store), bodyLimit: bodyLimit).addRoutes(to: router)
    return router
}

/// `GET /health`.
struct HealthStatus: Encodable {
    var status: String
    var models: [String: [String: Int]]
}
