/// SSE framing for OpenAI streams: each event is one `data: ` line and a blank line,
/// and the stream ends with `data: [DONE]`. Clients split on the blank line, so the JSON
/// must be a single line (JSONEncoder never emits raw newlines without `.prettyPrinted`).
public enum ServerSentEvents {
    /// The terminator every OpenAI client waits for.
    public static let done = "data: [DONE]\n\n"

    /// One event carrying a wire value.
    public static func data<T: Encodable>(_ value: T) -> String {
        "data: " + WireJSON.string(value) + "\n\n"
    }

    /// An error after the stream has started (the HTTP status is already 200), sent as
    /// an ordinary data event holding the error object, as OpenAI and vLLM do; the openai
    /// Python client raises it as an APIError. Follow it with `done`.
    public static func error(_ error: APIError) -> String {
        data(error)
    }
}
