import Hummingbird

/// The web chat's browser identity: a random 128-bit id in the `aqyl_uid` cookie.
///
/// It is not a login. It only keeps one browser's conversations apart from another's
/// and attributes its traffic; whoever holds the cookie is that browser.
enum WebIdentity {
    static let cookieName = "aqyl_uid"
    /// One year, renewed never: a browser keeps its id until the cookie is cleared.
    static let maxAgeSeconds = 31_536_000

    /// 32 lowercase hex digits.
    static func isValid(_ value: some StringProtocol) -> Bool {
        value.utf8.count == 32 && value.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// A fresh id from the system's cryptographic random source.
    static func newID() -> String {
        var generator = SystemRandomNumberGenerator()
        var hex = ""
        for _ in 0..<16 {
            let byte = UInt8.random(in: 0...255, using: &generator)
            hex += String(byte >> 4, radix: 16) + String(byte & 0x0f, radix: 16)
        }
        return hex
    }

    /// The request's id when its cookie holds a valid one.
    static func id(in request: Request) -> String? {
        guard let value = request.cookies[cookieName]?.value, isValid(value) else { return nil }
        return value
    }

    /// The `Set-Cookie` value that gives a browser its id. HttpOnly: page scripts never
    /// need it; SameSite=Lax: other sites cannot make the browser send it with a POST.
    static func setCookie(_ id: String) -> String {
        "\(cookieName)=\(id); Max-Age=\(maxAgeSeconds); Path=/; HttpOnly; SameSite=Lax"
    }
}
