import Crypto
import Foundation
import Hummingbird
import UsageStats

/// The web chat's browser identity, issued by the server and only by it.
///
/// The `aqyl_uid` cookie holds `PAYLOAD.TAG`: the payload is either a random 128-bit
/// id (32 hex digits) or `key_…` for a browser signed in with an API key
/// (`--web-chat key`); the tag is HMAC-SHA-256 of the payload under a secret kept in
/// the data directory (`web-identity.key`), 128 bits in hex. A value the server did
/// not issue — made up, tampered with, or the unsigned format of earlier versions —
/// is not an identity: the request is anonymous, and the web chat's own routes issue
/// a fresh one. That is what keeps a script that mints cookies from minting users.
///
/// It is not a login: whoever holds the cookie is that browser.
struct WebIdentity: Sendable {
    static let cookieName = "aqyl_uid"
    /// One year, renewed never: a browser keeps its id until the cookie is cleared.
    static let maxAgeSeconds = 31_536_000
    static let keyFileName = "web-identity.key"

    /// The secret's bytes (a `SymmetricKey` is made per use: it is not `Sendable`).
    private let keyBytes: [UInt8]

    init(keyBytes: [UInt8]) { self.keyBytes = keyBytes }

    /// Loads the signing secret from `directory`, creating it on first use (mode 0600).
    static func load(directory: URL) throws -> WebIdentity {
        WebIdentity(keyBytes: try SecretKeyFile.load(keyFileName, in: directory))
    }

    /// What a verified cookie names.
    enum Subject: Equatable, Sendable {
        /// An anonymous browser (32 hex digits).
        case browser(String)
        /// A browser signed in with this API key id.
        case apiKey(String)
    }

    /// 32 lowercase hex digits.
    static func isBrowserID(_ value: some StringProtocol) -> Bool {
        value.utf8.count == 32 && value.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// `key_` + up to 64 characters of `[A-Za-z0-9_-]`.
    static func isKeyID(_ value: some StringProtocol) -> Bool {
        value.hasPrefix("key_") && value.utf8.count <= 68
            && value.utf8.allSatisfy { $0 == 0x5f || $0 == 0x2d || (0x30...0x39).contains($0) || (0x41...0x5a).contains($0) || (0x61...0x7a).contains($0) }
    }

    /// A fresh browser id from the system's cryptographic random source.
    static func newBrowserID() -> String {
        SymmetricKey(size: .bits128).withUnsafeBytes { $0.map { String(format: "%02x", $0) }.joined() }
    }

    func tag(_ payload: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("aqyl-web-identity/1\n\(payload)".utf8), using: SymmetricKey(data: keyBytes))
        return Data(mac).prefix(16).map { String(format: "%02x", $0) }.joined()
    }

    /// The cookie value for a subject.
    func value(for subject: Subject) -> String {
        let payload: String
        switch subject {
        case let .browser(id): payload = id
        case let .apiKey(id): payload = id
        }
        return payload + "." + tag(payload)
    }

    /// The subject of a cookie value the server issued; nil for anything else.
    func verify(_ value: some StringProtocol) -> Subject? {
        guard value.utf8.count <= 128 else { return nil }
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        let payload = String(parts[0])
        guard Self.isBrowserID(payload) || Self.isKeyID(payload) else { return nil }
        // Constant time: the tag is a secret-derived value an attacker may probe byte by byte.
        let expected = Array(tag(payload).utf8), given = Array(parts[1].utf8)
        guard expected.count == given.count else { return nil }
        var difference: UInt8 = 0
        for (a, b) in zip(expected, given) { difference |= a ^ b }
        guard difference == 0 else { return nil }
        return Self.isBrowserID(payload) ? .browser(payload) : .apiKey(payload)
    }

    /// The request's verified subject, if its cookie holds one.
    func subject(in request: Request) -> Subject? {
        request.cookies[Self.cookieName].flatMap { verify($0.value) }
    }

    /// The cookie's raw value when it is in the unsigned format of earlier versions.
    static func legacyBrowserID(in request: Request) -> String? {
        guard let value = request.cookies[cookieName]?.value, isBrowserID(value) else { return nil }
        return value
    }

    /// The `Set-Cookie` value that gives a browser its identity. HttpOnly: page scripts never
    /// need it; SameSite=Lax: other sites cannot make the browser send it with a POST.
    func setCookie(_ subject: Subject) -> String {
        "\(Self.cookieName)=\(value(for: subject)); Max-Age=\(Self.maxAgeSeconds); Path=/; HttpOnly; SameSite=Lax"
    }

    /// Ends a sign-in.
    static let clearCookie = "\(cookieName)=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax"
}
