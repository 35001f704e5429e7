import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The client network a request comes from, as the key for per-network limits:
/// an IPv4 /24 or an IPv6 /64 (one household, office or mobile carrier NAT pool
/// looks like one network; a single host cannot dodge a limit by changing the low bits).
///
/// The peer address is the TCP peer. Behind a reverse proxy every peer is the proxy,
/// so `X-Forwarded-For` is read — but only when the peer is one of the operator's
/// `--trusted-proxy` addresses, and then the right-most address the proxy appended
/// (a client can write anything to the left of it).
public struct ClientNetwork: Sendable {
    let trustedProxies: Set<String>

    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!

    /// "v4:203.0.113", "v6:2001:db8:1:2", or "unknown" when there is no address (tests).
    func key(for request: Request, context: AqylRequestContext) -> String {
        guard let peer = context.remoteAddress?.ipAddress else { return "unknown" }
        var address = peer
        if trustedProxies.contains(peer), let forwarded = request.headers[values: Self.forwardedFor].last {
            let hops = forwarded.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            if let last = hops.last, !last.isEmpty { address = last }
        }
        return Self.network(of: address)
    }

    /// Whether `text` is an IPv4 or IPv6 address.
    public static func isAddress(_ text: String) -> Bool { (try? SocketAddress(ipAddress: text, port: 0)) != nil }

    static func network(of address: String) -> String {
        if let v4 = try? SocketAddress(ipAddress: address, port: 0), case .v4 = v4 {
            let octets = address.split(separator: ".")
            return "v4:" + octets.prefix(3).joined(separator: ".")
        }
        if let v6 = try? SocketAddress(ipAddress: address, port: 0), case let .v6(a) = v6 {
            // The first 8 bytes of the address.
            var raw = a.address.sin6_addr
            let bytes = withUnsafeBytes(of: &raw) { Array($0.prefix(8)) }
            let groups = stride(from: 0, to: 8, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
            return "v6:" + groups.joined(separator: ":")
        }
        // Not an address (a proxy wrote garbage): one shared bucket for all such requests.
        return "other"
    }
}
