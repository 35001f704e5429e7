import Foundation

/// One tokenization case from `Tests/Fixtures/<model>/tokenize.json` (made by scripts/make_fixtures.py).
public struct TokenizeCase: Decodable, Sendable {
    public let text: String
    public let ids: [Int32]
    public let ids_bos: [Int32]
    public let ids_special: [Int32]
}

/// One greedy-decoding case from `greedy.json`.
public struct GreedyCase: Decodable, Sendable {
    public let prompt: String
    public let prompt_ids: [Int32]
    public let generated_ids: [Int32]
    public let generated_text: String?
    /// llama.cpp's gap between its top two logits at each generated step.
    public let gen_margins: [Double]?
    /// The 64 largest last-prompt-position logits as [id, logit].
    public let top_logits: [[Double]]
    public let probe_logits: [[Double]]?
    public let logit_mean: Double?
    public let logit_std: Double?
}

/// The fixture header (first element of each list).
public struct FixtureHeader: Decodable, Sendable {
    public let probe_ids: [Int32]?
}

/// Loads a fixture list whose first element is an `_about` header.
public func loadFixtureCases<T: Decodable>(_ relative: String, as: T.Type) throws -> (header: FixtureHeader, cases: [T]) {
    let data = try Data(contentsOf: FixturePaths.fixture(relative))
    guard let raw = try JSONSerialization.jsonObject(with: data) as? [[String: Any]], let first = raw.first else {
        throw CocoaError(.fileReadCorruptFile)
    }
    let decoder = JSONDecoder()
    let header = try decoder.decode(FixtureHeader.self, from: try JSONSerialization.data(withJSONObject: first))
    let cases = try raw.dropFirst().map { try decoder.decode(T.self, from: try JSONSerialization.data(withJSONObject: $0)) }
    return (header, cases)
}
