import ServiceLifecycle
import Storage

/// Closes what the server opened once it has stopped: the upstream HTTP client and
/// the database.
///
/// Added to the application's services, which ServiceLifecycle shuts down in reverse
/// order: the HTTP server goes first and waits for in-flight requests and streams
/// to finish, and only then does this close the resources they were using.
struct ServerResourcesService: Service {
    let upstreams: UpstreamModels
    let stores: ServerStores

    func run() async throws {
        // Sleeps until SIGTERM/SIGINT (or the end of a test) starts the graceful shutdown.
        try? await gracefulShutdown()
        // Sign the log as it stands, so the last requests are covered by a checkpoint
        // that verifiers (and the next start) see.
        stores.usage.finalCheckpoint()
        try await upstreams.shutdown()
        await stores.close()
    }
}
