/// One token learned for a vocabulary extension.
public struct LearnedToken: Sendable, Equatable, Codable {
    /// Its id in the extended vocabulary (the base vocabulary's size plus its rank).
    public var id: Int32
    /// The vocabulary string (byte-level characters for BPE, `▁`-escaped for SentencePiece).
    public var text: String
    /// The merge that makes it: two ids of the extended vocabulary.
    public var left: Int32
    public var right: Int32
    /// The base vocabulary's tokens it stands for, in order (FVT initializes its rows from these).
    public var pieces: [Int32]
    /// How often the pair occurred in the corpus when it was learned.
    public var frequency: Int
}
