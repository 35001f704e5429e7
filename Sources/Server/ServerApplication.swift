import Engine
import Foundation
import Hummingbird
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
    /// Reject requests without a valid API key (`--api-key-required`).
    public var apiKeyRequired = false

    public init() {}
}

/// A model to serve: its public id and the loaded files.
public struct ModelEntry: Sendable {
    public var id: String
    public var model: LoadedModel

    public init(id: String, model: LoadedModel) {
        self.id = id
        self.model = model
    }
}

/// Builds the HTTP application (in-process tests call this too).
public func buildApplication(
    configuration: ServerConfiguration, models entries: [ModelEntry],
    onServerRunning: @escaping @Sendable (String) async -> Void = { _ in }
) throws -> some ApplicationProtocol {
    let store = try DataStore(directory: configuration.dataDirectory)
    let served = entries.map { ServedModel(id: $0.id, model: $0.model, threads: configuration.threads, context: configuration.context) }
    let router = buildRouter(configuration: configuration, models: served, store: store)
    let url = "http://\(configuration.host):\(configuration.port)"
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "aqyl"),
        onServerRunning: { _ in await onServerRunning(url) })
}

func buildRouter(configuration: ServerConfiguration, models: [ServedModel], store: DataStore) -> Router<AqylRequestContext> {
    let bodyLimit = configuration.bodyLimit
    let router = Router(context: AqylRequestContext.self)
    router.get("/health") { _, _ in jsonResponse(["status": "ok"]) }
    let byID = Dictionary(models.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    router.add(middleware: WebCallerMiddleware()) // before the routes it attributes to web chat browsers
    ChatController(models: byID, modelOrder: models.map(\.id), bodyLimit: bodyLimit).addRoutes(to: router)
    WebChatController(conversations: ConversationStore(store), bodyLimit: bodyLimit).addRoutes(to: router)
    return router
}
