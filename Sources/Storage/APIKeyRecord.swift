import Foundation
import GRDB

/// An API key as it is listed and checked. The secret is not part of it: only its
/// SHA-256 lives in the database, so nothing that reads records can leak a key.
public struct APIKeyRecord: Sendable, Equatable, Codable {
    /// The public id (`key_1a2b3c4d`): safe to log, print and put in metrics.
    public var id: String
    public var name: String
    /// Traffic from load tests or monitoring, kept apart in usage accounting.
    public var synthetic: Bool
    /// Requests per minute this key may send; nil means no limit.
    public var rateLimitPerMinute: Int?
    public var createdAt: Date
    public var revokedAt: Date?
    /// Updated at most once a minute, so checking a key rarely costs a write.
    public var lastUsedAt: Date?

    public var isRevoked: Bool { revokedAt != nil }

    /// Column names are the wire names of `aqyl keys list --json` too.
    enum CodingKeys: String, CodingKey {
        case id, name, synthetic
        case rateLimitPerMinute = "rate_limit_per_minute"
        case createdAt = "created_at"
        case revokedAt = "revoked_at"
        case lastUsedAt = "last_used_at"
    }

    /// Absent values are written as null, so every object has the same keys.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(synthetic, forKey: .synthetic)
        try c.encode(rateLimitPerMinute, forKey: .rateLimitPerMinute)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(revokedAt, forKey: .revokedAt)
        try c.encode(lastUsedAt, forKey: .lastUsedAt)
    }

    public init(id: String, name: String, synthetic: Bool, rateLimitPerMinute: Int?, createdAt: Date,
                revokedAt: Date?, lastUsedAt: Date?) {
        self.id = id
        self.name = name
        self.synthetic = synthetic
        self.rateLimitPerMinute = rateLimitPerMinute
        self.createdAt = createdAt
        self.revokedAt = revokedAt
        self.lastUsedAt = lastUsedAt
    }

    init(row: Row) {
        id = row[CodingKeys.id.rawValue]
        name = row[CodingKeys.name.rawValue]
        synthetic = row[CodingKeys.synthetic.rawValue]
        rateLimitPerMinute = row[CodingKeys.rateLimitPerMinute.rawValue]
        createdAt = row[CodingKeys.createdAt.rawValue]
        revokedAt = row[CodingKeys.revokedAt.rawValue]
        lastUsedAt = row[CodingKeys.lastUsedAt.rawValue]
    }
}
