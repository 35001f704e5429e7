/// `GET /v1/models`: the list clients use to discover which `model` values are accepted.
public struct ModelList: Codable, Sendable, Equatable {
    public var object: String = "list"
    public var data: [ModelObject]

    public init(data: [ModelObject]) { self.data = data }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        object = try c.decodeIfPresent(String.self, forKey: .object) ?? "list"
        data = try c.decodeIfPresent([ModelObject].self, forKey: .data) ?? []
    }

    enum CodingKeys: String, CodingKey { case object, data }
}

/// One servable model. A LoRA adapter is listed as its own model with `parent` naming
/// the base model, the way vLLM's multi-LoRA serving lets clients pick adapters by `model`.
public struct ModelObject: Codable, Sendable, Equatable {
    public var id: String
    public var object: String = "model"
    public var created: Int
    public var ownedBy: String
    public var parent: String?

    public init(id: String, created: Int, ownedBy: String = "aqyl", parent: String? = nil) {
        self.id = id
        self.created = created
        self.ownedBy = ownedBy
        self.parent = parent
    }

    enum CodingKeys: String, CodingKey {
        case id, object, created, parent
        case ownedBy = "owned_by"
    }

    /// Other servers' lists (read by the evaluator) may leave out all but `id`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        object = try c.decodeIfPresent(String.self, forKey: .object) ?? "model"
        created = try c.decodeIfPresent(Int.self, forKey: .created) ?? 0
        ownedBy = try c.decodeIfPresent(String.self, forKey: .ownedBy) ?? ""
        parent = try c.decodeIfPresent(String.self, forKey: .parent)
    }
}
