import Foundation

/// The one JSON configuration every OpenAI body goes through, so that the server,
/// the SSE framing and the tests can never disagree about the bytes on the wire.
public enum WireJSON {
    /// Keys are not sorted (clients never depend on order; Foundation on Linux picks its own),
    /// no pretty printing (an SSE event must be one line), and `/` is not escaped because clients compare model ids like `org/name` verbatim.
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }

    public static func makeDecoder() -> JSONDecoder { JSONDecoder() }

    /// Encodes a wire value to a UTF-8 string. Wire types only hold finite numbers
    /// (logprobs are clamped when encoded), so failure here is a programming error.
    public static func string<T: Encodable>(_ value: T) -> String {
        String(decoding: data(value), as: UTF8.self)
    }

    public static func data<T: Encodable>(_ value: T) -> Data {
        do { return try makeEncoder().encode(value) } catch {
            preconditionFailure("OpenAI wire value failed to encode: \(error)")
        }
    }

    /// Decodes a request body, turning every failure into the 400 a client should see,
    /// with `param` naming the offending field where the decoder knows it.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws(APIError) -> T {
        do { return try makeDecoder().decode(type, from: data) } catch let error as DecodingError {
            throw APIError.invalidBody(error)
        } catch {
            throw APIError.invalidRequest("We could not parse the JSON body of your request: \(error)")
        }
    }
}

/// Log-probabilities can be `-inf` (a token masked by logit_bias or a grammar), which JSON
/// cannot carry; vLLM's convention is to floor them at -9999 so Python clients can still sum.
public enum WireLogprob {
    public static let floor = -9999.0

    public static func finite(_ value: Double) -> Double {
        if value.isNaN { return floor }
        return max(floor, min(value, 0))
    }
}
