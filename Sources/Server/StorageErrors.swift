import OpenAIAPI
import Storage

extension APIError {
    /// Seconds a client waits before retrying while the database is away.
    static let databaseRetryAfterSeconds = 5

    /// The answer to a request whose store failed: 503 with `Retry-After` when the database
    /// cannot be reached now (the request is fine; try again), 500 otherwise.
    static func storage(_ error: any Error) -> APIError {
        if case StorageError.unavailable? = error as? StorageError {
            return APIError(status: 503, message: "The server's database is unavailable right now; try again shortly.",
                            type: "server_error", code: "database_unavailable", retryAfterSeconds: databaseRetryAfterSeconds)
        }
        return .internal("The server could not read or write its data store.")
    }
}
