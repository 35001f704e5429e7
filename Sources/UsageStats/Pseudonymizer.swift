import Crypto
import Foundation

/// Turns an identity (a browser's cookie id, an API key's id) into the
/// pseudonym the public log carries: HMAC-SHA-256 under a secret key kept in
/// the data directory, truncated to 128 bits.
///
/// Why one long-lived key and not Plausible's daily salt: a daily salt counts
/// visitor-days, not people, so WAU and MAU would be sums of days. With one key
/// per deployment, a person keeps one pseudonym, and 28-day figures count
/// people. The cost, said plainly: the public log links one pseudonym's
/// activity (days, models, token counts) over the key's lifetime. It never
/// carries the cookie or key itself, and without the secret the pseudonym
/// cannot be recomputed from a guessed identity. Rotating the key
/// (`rotate`) starts a new epoch: counts that span two epochs count a person
/// twice, and figures say which epoch they cover.
public struct Pseudonymizer: Sendable {
    private let keyBytes: [UInt8]

    public init(keyBytes: [UInt8]) { self.keyBytes = keyBytes }

    /// Loads `pseudonym.key` from `directory`, creating it on first use (mode 0600).
    public static func load(directory: URL) throws -> Pseudonymizer {
        Pseudonymizer(keyBytes: try SecretKeyFile.load("pseudonym.key", in: directory))
    }

    public func pseudonym(_ identity: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(identity.utf8), using: SymmetricKey(data: keyBytes))
        return Data(mac).prefix(16).map { String(format: "%02x", $0) }.joined()
    }
}
