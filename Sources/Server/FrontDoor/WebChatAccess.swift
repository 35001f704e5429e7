/// Who may use the web chat (`--web-chat`).
public enum WebChatAccess: String, Sendable, CaseIterable {
    /// Anyone who opens the page gets a server-issued browser identity.
    case open
    /// The page asks for an API key once (`POST /api/session`); only signed-in browsers chat.
    case key
    /// No web chat: `/` and `/api/*` are not served; the API needs keys as configured.
    case off
}

/// How the server guards its front door: web identities, anonymous traffic, proxies.
public struct FrontDoorSettings: Sendable {
    public var webChat = WebChatAccess.open
    /// New browser identities a client network (IPv4 /24, IPv6 /64) may get per hour.
    public var webIdentitiesPerHour = 60
    /// Requests per minute one web identity may send to the API (nil: no limit).
    public var webRateLimitPerMinute: Int? = 30
    /// Requests per minute per client network without a key or identity (nil: no limit).
    public var anonymousRateLimitPerMinute: Int?
    /// Peers whose `X-Forwarded-For` names the client (`--trusted-proxy`).
    public var trustedProxies: Set<String> = []

    public init() {}
}
