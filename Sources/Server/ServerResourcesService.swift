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
    let store: DataStore
    let usage: UsageRecorder

    func run() async throws {
        // Sleeps until SIGTERM/SIGINT (or the end of a test) starts the graceful shutdown.
        try? await gracefulShutdown()
        // Sign the log as it stands, so the last requests are covered by a checkpoint
        // that verifiers (and the next start) see.
        _ = try? usage.log.checkpoint()
        try await upstreams.shutdown()
        try store.database.close()
    }
}
