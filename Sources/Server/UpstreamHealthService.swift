import ServiceLifecycle

/// Checks every upstream member every `healthInterval` while the server runs, so
/// ejected members come back and dead ones leave the rotation before a client finds out.
/// (The first round runs before the server starts serving; see ``makeApplication``.)
struct UpstreamHealthService: Service {
    let upstreams: UpstreamModels

    func run() async throws {
        // A service that returns ends the whole group: without upstreams, just wait for the end.
        guard !upstreams.isEmpty else {
            try? await gracefulShutdown()
            return
        }
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: upstreams.settings.healthInterval)
                await upstreams.checkAll()
            }
        }
    }
}
