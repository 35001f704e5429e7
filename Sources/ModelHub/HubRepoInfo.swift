/// The hub's answer to `GET /api/models/{repo}/revision/{rev}?blobs=true`: the commit
/// the revision points at and the repo's files, with sizes and LFS SHA-256 sums.
public struct HubRepoInfo: Decodable, Sendable, Equatable {
    public struct Sibling: Decodable, Sendable, Equatable {
        public struct LFS: Decodable, Sendable, Equatable {
            public let sha256: String
            public let size: Int

            public init(sha256: String, size: Int) {
                self.sha256 = sha256
                self.size = size
            }
        }
        public let rfilename: String
        public let size: Int?
        /// The git object id (the ETag of a file that is not in LFS).
        public let blobId: String?
        public let lfs: LFS?

        public init(rfilename: String, size: Int?, blobId: String?, lfs: LFS?) {
            self.rfilename = rfilename
            self.size = size
            self.blobId = blobId
            self.lfs = lfs
        }
    }

    /// `false`, or `"auto"` / `"manual"` for gated repos.
    public enum Gated: Decodable, Sendable, Equatable {
        case open
        case gated(String)

        public init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let b = try? c.decode(Bool.self) { self = b ? .gated("true") : .open; return }
            self = .gated(try c.decode(String.self))
        }
    }

    public let id: String?
    public let sha: String?
    public let siblings: [Sibling]?
    public let gated: Gated?

    public init(id: String?, sha: String?, siblings: [Sibling]?, gated: Gated?) {
        self.id = id
        self.sha = sha
        self.siblings = siblings
        self.gated = gated
    }
}
