import Foundation
import Testing
@testable import OpenAIAPI

/// Test helpers: decode request bodies as the server will, and parse encoded bodies back
/// into plain dictionaries so tests check the wire shape, not Swift values.
enum Wire {
    static func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try WireJSON.decode(type, from: Data(json.utf8))
    }

    static func object<T: Encodable>(_ value: T) throws -> [String: Any] {
        let any = try JSONSerialization.jsonObject(with: WireJSON.data(value), options: [.fragmentsAllowed])
        return try #require(any as? [String: Any])
    }

    static func object(json: String) throws -> [String: Any] {
        let any = try JSONSerialization.jsonObject(with: Data(json.utf8))
        return try #require(any as? [String: Any])
    }

    /// Validation errors thrown by `body`, or nil.
    static func validationError(_ body: () throws(APIError) -> Void) -> APIError? {
        do { try body(); return nil } catch { return error }
    }
}
