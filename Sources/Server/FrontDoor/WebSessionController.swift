import Foundation
import Hummingbird
import OpenAIAPI
import Storage

/// Sign-in to the web chat with an API key (`--web-chat key`, also allowed when open):
/// `POST /api/session {"api_key": "…"}` checks the key and issues a browser identity
/// bound to it; `DELETE /api/session` signs out. The key itself is never stored in the
/// cookie: the cookie names the key's public id, signed, and every request re-checks
/// that the key is live (``WebCallerMiddleware``).
struct WebSessionController: Sendable {
    let identities: WebIdentity
    let keys: any APIKeyRepository
    let bodyLimit: Int

    struct SignIn: Decodable {
        let apiKey: String
        enum CodingKeys: String, CodingKey { case apiKey = "api_key" }
    }

    struct Session: Encodable {
        let keyID: String
        let name: String
        enum CodingKeys: String, CodingKey {
            case keyID = "key_id"
            case name
        }
    }

    func addRoutes(to group: RouterGroup<AqylRequestContext>) {
        group.post("session") { request, _ in
            await respondAsync { () async throws(APIError) in
                let body = try await decodeBody(SignIn.self, from: request, limit: min(bodyLimit, 4096))
                let record: APIKeyRecord?
                do { record = try await keys.authenticate(secret: body.apiKey) } catch { throw APIError.storage(error) }
                guard let record else { throw APIError.invalidAPIKey }
                var response = jsonResponse(Session(keyID: record.id, name: record.name))
                response.headers[values: .setCookie].append(identities.setCookie(.apiKey(record.id)))
                return response
            }
        }
        group.delete("session") { _, _ in
            var response = Response(status: .noContent)
            response.headers[values: .setCookie].append(WebIdentity.clearCookie)
            return response
        }
    }
}
